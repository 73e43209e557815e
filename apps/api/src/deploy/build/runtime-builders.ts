import { Injectable } from '@nestjs/common';
import type { Manifest } from './manifest';
import { PackageBuilder } from './package-builder';
import { PythonBuilder } from './python-builder';
import type { RuntimeBuilder } from './runtime-builder';

/** The builder of a manifest's runtime: npm for Node, a virtualenv per build for Python. */
@Injectable()
export class RuntimeBuilders {
  constructor(
    private readonly node: PackageBuilder,
    private readonly python: PythonBuilder,
  ) {}

  for(manifest: Manifest): RuntimeBuilder {
    return manifest.runtime === 'python' ? this.python : this.node;
  }
}
