import { isIP } from 'node:net';

const canonicalIpv6 = (address: string): string => new URL(`http://[${address}]/`).hostname.slice(1, -1);

/**
 * Whether a listen address accepts connections from this machine only:
 * `localhost`, 127.0.0.0/8, `::1` (and 127.x written as IPv4-mapped IPv6).
 * Any other name or address, `0.0.0.0` and `::` included, is public.
 */
export const isLoopbackHost = (host: string): boolean => {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  switch (isIP(bare)) {
    case 4:
      return bare.split('.')[0] === '127';
    case 6: {
      const canonical = canonicalIpv6(bare);
      // ::ffff:127.x.y.z is canonicalized to ::ffff:7fxx:yyzz.
      return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
    }
    default:
      return false;
  }
};
