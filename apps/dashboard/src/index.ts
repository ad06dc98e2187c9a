export { startDashboard, type DashboardOptions, type RunningDashboard } from './start-dashboard';
export { DashboardConfigError } from './dashboard-errors';
export { isLoopbackHost } from './security/loopback-host';
export type { Credentials } from './security/credentials';
