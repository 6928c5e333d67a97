// Prettier formats the code (TypeScript and the console's JavaScript); ESLint only finds mistakes.
// The settings are the ones the code was written in before Prettier came: single quotes, commas
// after the last item of a multi-line list, and long lines (160): the code puts a whole call or
// condition on one line where it reads as one thought, and wraps only past that.
export default {
  printWidth: 160,
  singleQuote: true,
  trailingComma: 'all',
};
