import { createHash } from 'node:crypto';

/**
 * Deterministic, plausible test users, generated from a phone number (MSISDN). The same
 * number always gives the same person, so flows can assert on what Userinfo returns.
 * Country follows the number's prefix (45 Denmark, 358 Finland, otherwise Norway).
 * All data is synthetic: example.com e-mail addresses and, for Norway, a synthetic
 * national identity number (month + 80, as in the Norwegian test-data registry).
 */
export interface TestUser {
  phoneNumber: string;
  givenName: string;
  familyName: string;
  email: string;
  birthdate: string; // YYYY-MM-DD
  nin: string;
  address: {
    street_address: string;
    postal_code: string;
    region: string;
    country: string;
    formatted: string;
    address_type: 'home';
  };
}

interface CountryData {
  code: 'NO' | 'DK' | 'FI';
  given: string[];
  family: string[];
  streets: string[];
  places: [postalCode: string, region: string][];
}

const NO: CountryData = {
  code: 'NO',
  given: ['Kari', 'Ola', 'Ingrid', 'Lars', 'Nora', 'Jonas', 'Emma', 'Henrik', 'Sofie', 'Magnus', 'Ida', 'Eirik', 'Marit', 'Sindre', 'Astrid', 'Håkon'],
  family: ['Nordmann', 'Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Berg', 'Haugen', 'Bakken', 'Solberg', 'Dahl', 'Lund', 'Strand', 'Sæther'],
  streets: ['Storgata', 'Kirkegata', 'Skolegata', 'Parkveien', 'Bjørnstjerne Bjørnsons gate', 'Fjordveien', 'Bryggen', 'Sjøgata', 'Løkkeveien', 'Granveien'],
  places: [
    ['0154', 'OSLO'],
    ['0562', 'OSLO'],
    ['5003', 'BERGEN'],
    ['7011', 'TRONDHEIM'],
    ['4006', 'STAVANGER'],
    ['9008', 'TROMSØ'],
    ['3015', 'DRAMMEN'],
    ['4611', 'KRISTIANSAND S'],
  ],
};

const DK: CountryData = {
  code: 'DK',
  given: ['Mette', 'Jens', 'Freja', 'Mads', 'Sofie', 'Rasmus', 'Ida', 'Frederik', 'Anne', 'Mikkel', 'Karen', 'Søren'],
  family: ['Jensen', 'Nielsen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen', 'Rasmussen', 'Jørgensen', 'Madsen', 'Kristensen'],
  streets: ['Vestergade', 'Østergade', 'Nørregade', 'Søndergade', 'Algade', 'Strandvejen', 'Kirkevej', 'Skolevej'],
  places: [
    ['1050', 'KØBENHAVN K'],
    ['8000', 'AARHUS C'],
    ['5000', 'ODENSE C'],
    ['9000', 'AALBORG'],
    ['6700', 'ESBJERG'],
  ],
};

const FI: CountryData = {
  code: 'FI',
  given: ['Aino', 'Juha', 'Emilia', 'Mikko', 'Sanna', 'Antti', 'Laura', 'Matti', 'Helmi', 'Ville', 'Kaisa', 'Eero'],
  family: ['Korhonen', 'Virtanen', 'Mäkinen', 'Nieminen', 'Mäkelä', 'Hämäläinen', 'Laine', 'Heikkinen', 'Koskinen', 'Järvinen', 'Lehtonen', 'Saarinen'],
  streets: ['Mannerheimintie', 'Hämeenkatu', 'Aleksanterinkatu', 'Kauppakatu', 'Rantatie', 'Koulukatu', 'Puistokatu'],
  places: [
    ['00100', 'HELSINKI'],
    ['33100', 'TAMPERE'],
    ['20100', 'TURKU'],
    ['90100', 'OULU'],
    ['40100', 'JYVÄSKYLÄ'],
  ],
};

const COUNTRY_NAMES = { NO: 'NO', DK: 'DK', FI: 'FI' } as const;

function countryOf(msisdn: string): CountryData {
  if (msisdn.startsWith('45')) return DK;
  if (msisdn.startsWith('358')) return FI;
  return NO;
}

/** A stream of deterministic numbers from a seed. */
function picker(seed: string) {
  const digest = createHash('sha256').update(`golive-test-user:${seed}`).digest();
  let i = 0;
  return (n: number): number => {
    const v = digest.readUInt16BE(i % (digest.length - 1));
    i += 2;
    return v % n;
  };
}

function ascii(s: string): string {
  return s
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .replace(/ä/g, 'a')
    .replace(/ö/g, 'o')
    .normalize('NFKD')
    .replace(/[^a-z0-9]/g, '');
}

/** Norwegian synthetic fødselsnummer (month + 80) with valid mod-11 check digits. */
function norwegianNin(birth: Date, pick: (n: number) => number): string {
  const dd = String(birth.getUTCDate()).padStart(2, '0');
  const mm = String(birth.getUTCMonth() + 1 + 80).padStart(2, '0');
  const yy = String(birth.getUTCFullYear() % 100).padStart(2, '0');
  const year = birth.getUTCFullYear();
  // Individual numbers: 000–499 for 1900–1999, 500–999 for 2000–2039.
  const base = year >= 2000 ? 500 : 0;
  for (let attempt = 0; attempt < 500; attempt++) {
    const ind = String(base + ((pick(500) + attempt) % 500)).padStart(3, '0');
    const d = (dd + mm + yy + ind).split('').map(Number);
    let k1 = 11 - ([3, 7, 6, 1, 8, 9, 4, 5, 2].reduce((s, w, j) => s + w * d[j], 0) % 11);
    if (k1 === 11) k1 = 0;
    if (k1 === 10) continue;
    d.push(k1);
    let k2 = 11 - ([5, 4, 3, 2, 7, 6, 5, 4, 3, 2].reduce((s, w, j) => s + w * d[j], 0) % 11);
    if (k2 === 11) k2 = 0;
    if (k2 === 10) continue;
    return d.join('') + String(k2);
  }
  return `${dd}${mm}${yy}00000`;
}

/** Finnish henkilötunnus DDMMYYCZZZQ with its check character. */
function finnishNin(birth: Date, pick: (n: number) => number): string {
  const dd = String(birth.getUTCDate()).padStart(2, '0');
  const mm = String(birth.getUTCMonth() + 1).padStart(2, '0');
  const yy = String(birth.getUTCFullYear() % 100).padStart(2, '0');
  const sep = birth.getUTCFullYear() >= 2000 ? 'A' : '-';
  // 900–999 are the individual numbers reserved for temporary/test identities.
  const zzz = String(900 + pick(100));
  const n = Number(`${dd}${mm}${yy}${zzz}`);
  return `${dd}${mm}${yy}${sep}${zzz}${'0123456789ABCDEFHJKLMNPRSTUVWXY'[n % 31]}`;
}

export function testUserFor(phoneNumber: string): TestUser {
  const msisdn = phoneNumber.replace(/\D/g, '');
  const country = countryOf(msisdn);
  const pick = picker(msisdn);
  const givenName = country.given[pick(country.given.length)];
  const familyName = country.family[pick(country.family.length)];
  const street = `${country.streets[pick(country.streets.length)]} ${1 + pick(60)}`;
  const [postal_code, region] = country.places[pick(country.places.length)];
  const birth = new Date(Date.UTC(1950 + pick(55), pick(12), 1 + pick(28)));
  const birthdate = birth.toISOString().slice(0, 10);
  const nin =
    country.code === 'NO'
      ? norwegianNin(birth, pick)
      : country.code === 'FI'
        ? finnishNin(birth, pick)
        : `${birthdate.slice(8, 10)}${birthdate.slice(5, 7)}${birthdate.slice(2, 4)}${String(pick(10000)).padStart(4, '0')}`;
  const code = COUNTRY_NAMES[country.code];
  return {
    phoneNumber: msisdn,
    givenName,
    familyName,
    email: `${ascii(givenName)}.${ascii(familyName)}.${msisdn.slice(-4)}@example.com`,
    birthdate,
    nin,
    address: {
      street_address: street,
      postal_code,
      region,
      country: code,
      formatted: `${street}\n${postal_code} ${region}\n${code}`,
      address_type: 'home',
    },
  };
}

/** Claims for a set of consented scopes (Vipps scope names), per the Userinfo API docs. */
export function claimsFor(user: TestUser, sub: string, scopes: Set<string>): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub };
  if (scopes.has('name')) {
    claims.name = `${user.givenName} ${user.familyName}`;
    claims.given_name = user.givenName;
    claims.family_name = user.familyName;
  }
  if (scopes.has('email')) {
    claims.email = user.email;
    claims.email_verified = true;
  }
  if (scopes.has('phoneNumber')) {
    claims.phone_number = user.phoneNumber;
    claims.phone_number_verified = true;
  }
  if (scopes.has('address')) {
    claims.address = { ...user.address };
    claims.other_addresses = [];
  }
  if (scopes.has('birthDate')) claims.birthdate = user.birthdate;
  if (scopes.has('nin')) claims.nin = user.nin;
  return claims;
}
