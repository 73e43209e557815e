/** Who made a request. `admin`: the API key; `session`: a UI session token minted from it. */
export interface Principal {
  kind: 'admin' | 'session';
  /** Binds MCP sessions and rate limits to their owner: `admin` for the key, `session:<login id>` per UI login. */
  id: string;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}
