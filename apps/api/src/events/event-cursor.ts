import { BadRequestException } from '@nestjs/common';

/** Where a page ends: the last row's time and id, handed out opaque (base64url JSON). */
export interface PageCursor {
  at: Date;
  id: string;
}

export function encodeCursor(row: { at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.at.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(text: string): PageCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const at = new Date(value[0]);
      if (!Number.isNaN(at.getTime())) return { at, id: value[1] };
    }
  } catch {
    // answered below
  }
  throw new BadRequestException(['cursor must be the nextCursor of a previous page']);
}
