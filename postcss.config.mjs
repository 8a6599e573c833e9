// Tailwind CSS v4 through PostCSS (app/globals.css imports it).
const config = {
  plugins: {
    '@tailwindcss/postcss': {},
  },
};

export default config;
