import { Route } from '@angular/router';
import { authGuard, guestGuard, roleGuard } from './core/auth/auth.guard';
import { pageTitle as title } from './core/layout/page-title';

export const appRoutes: Route[] = [
  {
    path: 'login',
    title: title('Sign in'),
    canActivate: [guestGuard],
    loadComponent: () => import('./features/login/login-page.component').then((m) => m.LoginPageComponent),
  },
  {
    path: '',
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    loadComponent: () => import('./core/layout/shell.component').then((m) => m.ShellComponent),
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'dashboard' },
      {
        path: 'dashboard',
        title: title('Dashboard'),
        loadComponent: () => import('./features/dashboard/dashboard-page.component').then((m) => m.DashboardPageComponent),
      },
      {
        path: 'services',
        loadChildren: () => import('./features/services/services.routes').then((m) => m.SERVICES_ROUTES),
      },
      {
        path: 'catalog',
        title: title('Catalog'),
        loadComponent: () => import('./features/catalog/catalog-page.component').then((m) => m.CatalogPageComponent),
      },
      {
        path: 'groups',
        loadChildren: () => import('./features/groups/groups.routes').then((m) => m.GROUPS_ROUTES),
      },
      {
        path: 'deploy',
        loadChildren: () => import('./features/deploy/deploy.routes').then((m) => m.DEPLOY_ROUTES),
      },
      {
        path: 'logs',
        title: title('Logs'),
        loadComponent: () => import('./features/logs/logs-page.component').then((m) => m.LogsPageComponent),
      },
      {
        // Not /metrics: the gateway answers that path itself (Prometheus text), so a reload there
        // would never reach this app. chart.js is imported by this page only and loads with it.
        path: 'charts',
        title: title('Metrics'),
        loadComponent: () => import('./features/metrics/metrics-page.component').then((m) => m.MetricsPageComponent),
      },
      {
        path: 'network',
        title: title('Network'),
        loadComponent: () => import('./features/network/network-page.component').then((m) => m.NetworkPageComponent),
      },
      {
        path: 'certificates',
        title: title('Certificates'),
        loadComponent: () => import('./features/certificates/certificates-page.component').then((m) => m.CertificatesPageComponent),
      },
      {
        path: 'access',
        title: title('Access'),
        loadComponent: () => import('./features/access/access-page.component').then((m) => m.AccessPageComponent),
      },
      {
        // Where /oauth/authorize sends the owner's browser; the login keeps it as the return URL.
        path: 'consent/:id',
        title: title('Authorize a client'),
        loadComponent: () => import('./features/consent/consent-page.component').then((m) => m.ConsentPageComponent),
      },
      {
        path: 'settings',
        title: title('Settings'),
        loadComponent: () => import('./features/settings/settings-page.component').then((m) => m.SettingsPageComponent),
      },
      {
        path: 'account',
        title: title('Account'),
        loadComponent: () => import('./features/account/account-page.component').then((m) => m.AccountPageComponent),
      },
      {
        path: 'users',
        title: title('Users'),
        canActivate: [roleGuard('admin')],
        loadComponent: () => import('./features/users/users-page.component').then((m) => m.UsersPageComponent),
      },
      {
        path: 'audit',
        title: title('Audit log'),
        canActivate: [roleGuard('admin')],
        loadComponent: () => import('./features/audit/audit-page.component').then((m) => m.AuditPageComponent),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
