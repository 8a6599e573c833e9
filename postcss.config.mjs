// Tailwind CSS v4 through PostCSS (app/globals.css imports it).
export default {
  plugins: {
    '@tailwindcss/postcss': {},
  },
};
