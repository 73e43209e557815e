export * from './lib/routes';
export * from './lib/api-error.interface';
export * from './lib/auth.dto';
export * from './lib/health.interface';
export * from './lib/service.enums';
export * from './lib/service.dto';
export * from './lib/service-view.interface';
export * from './lib/environment.validator';
