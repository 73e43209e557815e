/** The one error shape every REST endpoint answers with. */
export interface ApiErrorView {
  statusCode: number;
  error: string;
  /** A sentence, or one entry per invalid field (`"process.command must be a string"`). */
  message: string | string[];
  requestId?: string;
}
