import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';

/** A method of a provider that carries some declaration (`@RawRoute`, `@UpgradeRoute`), with that declaration. */
export interface DeclaredMethod<T, F> {
  declaration: T;
  /** Class and method, for messages. */
  owner: string;
  /** The method, bound to its instance. */
  call: F;
}

/**
 * Finds what feature modules declare on their providers with a decorator, so core can collect it at
 * start-up without importing any feature: the declaration sits on the handler where one reads it, and
 * the module graph stays one-way. Only singletons are searched (a request-scoped provider has no instance).
 */
@Injectable()
export class DeclaredHandlers {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /**
   * Every method carrying `key`, once per instance (a class provided in two modules counts twice, as two
   * instances). `F` is the signature the decorator of `key` admits (its descriptor type checks it at compile time).
   */
  methods<T, F>(key: symbol): DeclaredMethod<T, F>[] {
    const found: DeclaredMethod<T, F>[] = [];
    for (const instance of this.instances()) {
      const methods = instance as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const fn = methods[method];
        if (typeof fn !== 'function') continue;
        const declaration: unknown = Reflect.getMetadata(key, fn);
        if (declaration !== undefined)
          found.push({ declaration: declaration as T, owner: `${instance.constructor.name}.${method}`, call: fn.bind(instance) as F });
      }
    }
    return found;
  }

  /** Every instance whose class carries `key`. */
  classes<T>(key: symbol): { declaration: T; instance: object }[] {
    const found: { declaration: T; instance: object }[] = [];
    for (const instance of this.instances()) {
      const declaration: unknown = Reflect.getMetadata(key, instance.constructor);
      if (declaration !== undefined) found.push({ declaration: declaration as T, instance });
    }
    return found;
  }

  private instances(): Set<object> {
    const instances = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isDependencyTreeStatic() && !wrapper.isTransient && typeof instance === 'object' && instance !== null)
        instances.add(instance);
    }
    return instances;
  }
}
