#!/usr/bin/env node
/*
 * Regenerates apps/aggregator/console/region.geo.json, the console's outline of the region, from
 * the npm package world-atlas (Natural Earth 1:50m admin-0 countries, public domain) with
 * topojson-client. No map tiles are fetched at run time: the console draws this file.
 * Usage: node scripts/console/region-outline.js
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { feature } = require('topojson-client');

const ROOT = join(__dirname, '..', '..');
// ISO 3166-1 numeric (world-atlas feature ids) → alpha-2: the nine states and the neighbours
// that appear as `facing` in the crossing-point table.
const COUNTRIES = {
  '004': 'AF',
  '031': 'AZ',
  156: 'CN',
  364: 'IR',
  398: 'KZ',
  417: 'KG',
  586: 'PK',
  792: 'TR',
  795: 'TM',
  860: 'UZ',
  762: 'TJ',
  268: 'GE',
  '051': 'AM',
  368: 'IQ',
};
const MEMBERS = new Set(['AF', 'AZ', 'CN', 'IR', 'KZ', 'KG', 'PK', 'TR', 'TM']);

const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'));
const all = feature(topology, topology.objects.countries);
const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 100) / 100, Math.round(c[1] * 100) / 100] : c.map(round));
const features = all.features
  .filter((f) => COUNTRIES[f.id])
  .map((f) => ({
    type: 'Feature',
    properties: { code: COUNTRIES[f.id], name: f.properties.name, member: MEMBERS.has(COUNTRIES[f.id]) },
    geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
  }))
  .sort((a, b) => a.properties.code.localeCompare(b.properties.code));
if (features.length !== Object.keys(COUNTRIES).length) throw new Error(`found ${features.length} of ${Object.keys(COUNTRIES).length} countries`);
const out = {
  type: 'FeatureCollection',
  credit: 'Made with Natural Earth (public domain), via the world-atlas npm package (1:50m countries); rounded to 0.01°.',
  features,
};
writeFileSync(join(ROOT, 'apps/aggregator/console/region.geo.json'), JSON.stringify(out) + '\n');
console.log(`wrote ${features.length} countries`);
