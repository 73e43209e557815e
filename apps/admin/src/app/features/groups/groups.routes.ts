import { Routes } from '@angular/router';
import { pageTitle } from '../../core/layout/page-title';

export const GROUPS_ROUTES: Routes = [
  {
    path: '',
    title: pageTitle('Groups'),
    loadComponent: () => import('./groups-page.component').then((m) => m.GroupsPageComponent),
  },
  {
    path: 'new',
    title: pageTitle('New group'),
    loadComponent: () => import('./group-form-page.component').then((m) => m.GroupFormPageComponent),
  },
  {
    path: ':name',
    title: pageTitle('Group'),
    loadComponent: () => import('./group-detail-page.component').then((m) => m.GroupDetailPageComponent),
  },
  {
    path: ':name/edit',
    title: pageTitle('Edit group'),
    loadComponent: () => import('./group-form-page.component').then((m) => m.GroupFormPageComponent),
  },
];
