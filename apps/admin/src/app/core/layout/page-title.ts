const APP_NAME = 'MCP Reverse Proxy';

/** `<page> · MCP Reverse Proxy`, the document title of every page. */
export const pageTitle = (page: string): string => `${page} · ${APP_NAME}`;
