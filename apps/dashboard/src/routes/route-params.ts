import { OrganizationIdSchema } from '@scheduler/queue';
import { NotFoundError } from '../dashboard-errors';

/** An organization id from a path: anything else is a page that does not exist. */
export const organizationParam = (value: string): string => {
  if (!OrganizationIdSchema.safeParse(value).success) throw new NotFoundError(`no organization ${value}`);
  return value;
};

export const contactIdParam = (value: string | undefined): number => {
  const id = /^[1-9]\d{0,15}$/.test(value ?? '') ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) throw new NotFoundError(`${value ?? ''} is not a contact id`);
  return id;
};

export const jobIdParam = (value: string): string => {
  if (!/^[A-Za-z0-9_.:-]{1,256}$/.test(value)) throw new NotFoundError(`no job ${value}`);
  return value;
};
