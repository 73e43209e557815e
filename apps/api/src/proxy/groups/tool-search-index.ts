/** A tool as the index sees it: its exposed name, description and input schema (returned as they are). */
export interface SearchableTool {
  name: string;
  description?: string;
  inputSchema?: unknown;
}

export interface ToolHit {
  tool: SearchableTool;
  score: number;
}

/** Okapi BM25 constants: term-frequency saturation and length normalisation (the usual values). */
const K1 = 1.2;
const B = 0.75;
/** A word of a tool's name says more about it than a word of its description. */
const NAME_WEIGHT = 3;

const STOP_WORDS = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'by',
  'for',
  'from',
  'in',
  'is',
  'it',
  'of',
  'on',
  'or',
  'the',
  'this',
  'to',
  'with',
]);

/** Lower-case words and numbers; `getWeatherForecast`, `get_weather-forecast` and `get weather forecast` give the same tokens. */
export function tokenize(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token !== '' && !STOP_WORDS.has(token));
}

interface Document {
  tool: SearchableTool;
  frequencies: Map<string, number>;
  length: number;
}

/**
 * BM25 over tools' tokenised names and descriptions, built once per tool list. Small on purpose: a group
 * has hundreds of tools, not millions, so a map of term → documents is enough.
 */
export class ToolSearchIndex {
  private readonly documents: Document[];
  private readonly postings = new Map<string, Document[]>();
  private readonly averageLength: number;

  constructor(tools: SearchableTool[]) {
    this.documents = tools.map((tool) => {
      const frequencies = new Map<string, number>();
      const add = (token: string, weight: number): void => void frequencies.set(token, (frequencies.get(token) ?? 0) + weight);
      for (const token of tokenize(tool.name)) add(token, NAME_WEIGHT);
      for (const token of tokenize(tool.description ?? '')) add(token, 1);
      const length = [...frequencies.values()].reduce((sum, count) => sum + count, 0);
      return { tool, frequencies, length };
    });
    for (const document of this.documents) {
      for (const term of document.frequencies.keys()) this.postings.set(term, [...(this.postings.get(term) ?? []), document]);
    }
    this.averageLength = this.documents.reduce((sum, document) => sum + document.length, 0) / Math.max(1, this.documents.length);
  }

  get size(): number {
    return this.documents.length;
  }

  /**
   * The best `limit` tools for the query, best first; ties keep the list order. Tools matching no word,
   * and tools `allowed` refuses (the caller's allow-list), are left out before the limit is applied.
   */
  search(query: string, limit: number, allowed: (name: string) => boolean = () => true): ToolHit[] {
    const scores = new Map<Document, number>();
    const count = this.documents.length;
    for (const term of new Set(tokenize(query))) {
      const matching = this.postings.get(term) ?? [];
      if (matching.length === 0) continue;
      // The "+1" form of the IDF keeps it positive even for a word most tools share.
      const idf = Math.log(1 + (count - matching.length + 0.5) / (matching.length + 0.5));
      for (const document of matching) {
        const frequency = document.frequencies.get(term) ?? 0;
        const norm = frequency + K1 * (1 - B + (B * document.length) / this.averageLength);
        scores.set(document, (scores.get(document) ?? 0) + (idf * frequency * (K1 + 1)) / norm);
      }
    }
    return this.documents
      .filter((document) => scores.has(document) && allowed(document.tool.name))
      .map((document) => ({ tool: document.tool, score: scores.get(document) ?? 0 }))
      .sort((a, b) => b.score - a.score)
      .slice(0, Math.max(0, limit));
  }
}
