import { tokenize, ToolSearchIndex } from './tool-search-index';

describe('tokenize', () => {
  it.each([
    ['getWeatherForecast', ['get', 'weather', 'forecast']],
    ['get_weather-forecast', ['get', 'weather', 'forecast']],
    ['github__create_pull_request', ['github', 'create', 'pull', 'request']],
    ['Reads the HTML of a URL', ['reads', 'html', 'url']],
    ['parseJSONFile v2', ['parse', 'json', 'file', 'v2']],
    ['Größe prüfen', ['größe', 'prüfen']],
    ['', []],
  ])('%j → %j', (text, tokens) => expect(tokenize(text)).toEqual(tokens));
});

describe('ToolSearchIndex (BM25)', () => {
  const tools = [
    { name: 'weather__forecast', description: 'Weather forecast for a city, by day' },
    { name: 'weather__alerts', description: 'Severe weather alerts for a region' },
    { name: 'files__read_file', description: 'Read a file from the workspace' },
    { name: 'files__write_file', description: 'Write a file to the workspace' },
    { name: 'git__commit', description: 'Record staged changes in the repository' },
    { name: 'github__create_issue', description: 'Open an issue in a GitHub repository' },
  ];
  const index = new ToolSearchIndex(tools);
  const names = (query: string, limit = 10) => index.search(query, limit).map((hit) => hit.tool.name);

  it.each([
    ['forecast', ['weather__forecast']],
    ['severe', ['weather__alerts']],
    ['repository', ['git__commit', 'github__create_issue']],
    ['write a file', ['files__write_file', 'files__read_file']],
    ['WEATHER', ['weather__forecast', 'weather__alerts']], // a tie: list order
    ['nothing matches this', []],
    ['', []],
  ])('%j finds %j', (query, expected) => expect(names(query)).toEqual(expected));

  it('ranks a word in the name above the same word in a description', () => {
    const ranked = new ToolSearchIndex([
      { name: 'notes__list', description: 'Lists notes; can also export them' },
      { name: 'notes__export', description: 'Saves notes as a file' },
    ]).search('export', 5);
    expect(ranked.map((hit) => hit.tool.name)).toEqual(['notes__export', 'notes__list']);
  });

  it('ranks rarer words higher: a tool matching the rare word wins over one matching a common word', () => {
    expect(names('weather city')[0]).toBe('weather__forecast');
  });

  it('returns at most `limit` hits, with their scores, best first', () => {
    const hits = index.search('file workspace weather', 2);
    expect(hits).toHaveLength(2);
    expect(hits[0].score).toBeGreaterThanOrEqual(hits[1].score);
    expect(index.search('file', 0)).toEqual([]);
  });
});
