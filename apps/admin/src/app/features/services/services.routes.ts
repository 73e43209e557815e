import { Routes } from '@angular/router';
import { pageTitle } from '../../core/layout/page-title';

export const SERVICES_ROUTES: Routes = [
  {
    path: '',
    title: pageTitle('Services'),
    loadComponent: () => import('./services-page.component').then((m) => m.ServicesPageComponent),
  },
  {
    path: 'new',
    title: pageTitle('New service'),
    loadComponent: () => import('./service-form/service-form-page.component').then((m) => m.ServiceFormPageComponent),
  },
  {
    path: ':name',
    title: pageTitle('Service'),
    loadComponent: () => import('./service-detail/service-detail-page.component').then((m) => m.ServiceDetailPageComponent),
  },
  {
    path: ':name/edit',
    title: pageTitle('Edit service'),
    loadComponent: () => import('./service-form/service-form-page.component').then((m) => m.ServiceFormPageComponent),
  },
];
