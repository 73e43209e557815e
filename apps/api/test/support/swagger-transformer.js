// ts-jest AST transformer wrapping the @nestjs/swagger compiler plugin (options match webpack.config.js).
const plugin = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-transformer',
  version: 1,
  factory: (compiler) =>
    plugin.before(
      { dtoFileNameSuffix: ['.dto.ts', '.interface.ts'], classValidatorShim: true, introspectComments: true },
      compiler.program,
    ),
};
