import type { CliCommand } from '../command';
import { checkCommand } from './check';
import { copyToPostgresCommand } from './copy-to-postgres';
import { coverageCommand } from './coverage';
import { importMunicipalitiesCommand } from './import-municipalities';
import { routeCommand } from './route';
import { testDeliveryCommand } from './test-delivery';
import { testLinkCommand } from './test-link';

/** Every command of `efa-forms`, in the order `efa-forms --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [checkCommand, importMunicipalitiesCommand, routeCommand, coverageCommand, testDeliveryCommand, testLinkCommand, copyToPostgresCommand];
