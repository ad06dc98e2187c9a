/**
 * People aged 65 and over per state, in thousands (US Census 2020, rounded):
 * synthetic contacts are spread like a Medicare-age book of business. The
 * military and territorial codes get small weights so that every code the
 * ZIP data set knows appears.
 */
export const STATE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['CA', 5900], ['FL', 4700], ['TX', 4000], ['NY', 3400], ['PA', 2500], ['OH', 2100], ['IL', 2100],
  ['MI', 1800], ['NC', 1800], ['GA', 1600], ['NJ', 1500], ['VA', 1400], ['AZ', 1300], ['WA', 1300],
  ['MA', 1200], ['TN', 1200], ['IN', 1100], ['MO', 1100], ['WI', 1000], ['MD', 990], ['MN', 950], ['SC', 950],
  ['AL', 850], ['CO', 850], ['OR', 780], ['LA', 750], ['KY', 750], ['PR', 700], ['OK', 650],
  ['CT', 630], ['IA', 560], ['AR', 530], ['NV', 520], ['MS', 500], ['KS', 480], ['UT', 400],
  ['NM', 380], ['WV', 370], ['NE', 320], ['ID', 310], ['ME', 290], ['HI', 280], ['NH', 270],
  ['MT', 220], ['DE', 190], ['RI', 190], ['SD', 160], ['VT', 130], ['ND', 120], ['AK', 100],
  ['WY', 100], ['DC', 90], ['GU', 20], ['VI', 10], ['AE', 8], ['AP', 6], ['AA', 4], ['MP', 2],
  ['AS', 2], ['FM', 1], ['MH', 1], ['PW', 1],
];
