import { Routes } from '@angular/router';
import { pageTitle } from '../../core/layout/page-title';

export const DEPLOY_ROUTES: Routes = [
  {
    path: '',
    title: pageTitle('Deploy'),
    loadComponent: () => import('./deploy-page.component').then((m) => m.DeployPageComponent),
  },
  {
    path: ':id',
    title: pageTitle('Deployment'),
    loadComponent: () => import('./deployment-page.component').then((m) => m.DeploymentPageComponent),
  },
];
