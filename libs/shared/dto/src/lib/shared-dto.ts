export function sharedDto(): string {
  return 'shared-dto';
}
