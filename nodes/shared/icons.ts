/** The Clipia mark, light and dark, shipped next to each node (gulp copies the SVGs). */
export const CLIPIA_ICON = { light: 'file:clipia.svg', dark: 'file:clipia.dark.svg' } as const;
