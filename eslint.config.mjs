import nx from '@nx/eslint-plugin';

/**
 * Rules that need the type checker, for the projects that opt in (the API and the libs): a promise nobody
 * awaits or catches, a promise handed where a void callback is expected, and a switch over a union that
 * forgets a member. Each project passes its own directory; without `project` the TypeScript project service
 * finds each file's tsconfig (the solution file's references cover the lib and its specs), with it one
 * program covers every file (cheaper for a large project whose specs import most of its code).
 */
export function typeAware(tsconfigRootDir, project) {
  return {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: project ? { project, tsconfigRootDir } : { projectService: true, tsconfigRootDir } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/tmp', '**/.angular'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          // The admin app never reaches server code; shared libs stay framework-free and acyclic.
          depConstraints: [
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:api', 'scope:shared'] },
            {
              sourceTag: 'scope:admin',
              onlyDependOnLibsWithTags: ['scope:admin', 'scope:shared'],
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'express', 'pino', 'sqlite3', 'pg', 'ioredis'],
            },
            {
              sourceTag: 'scope:shared',
              onlyDependOnLibsWithTags: ['scope:shared'],
              bannedExternalImports: ['@nestjs/*', '@angular/*', 'typeorm', 'express'],
            },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:dto', 'type:util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:dto', 'type:util'] },
            { sourceTag: 'type:dto', onlyDependOnLibsWithTags: ['type:dto'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:dto'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.cts', '**/*.mts', '**/*.js', '**/*.jsx', '**/*.cjs', '**/*.mjs'],
    rules: {
      // Leaving fields out of an object by destructuring them away (`{ id: _id, ...rest }`) is intended.
      '@typescript-eslint/no-unused-vars': ['warn', { ignoreRestSiblings: true, varsIgnorePattern: '^_', argsIgnorePattern: '^_' }],
    },
  },
];
