/** Who made a request. `admin`: the API key; `session`: a UI session token minted from it. */
export interface Principal {
  kind: 'admin' | 'session';
  /** Stable id used to bind MCP sessions and rate limits to their owner. */
  id: string;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}
