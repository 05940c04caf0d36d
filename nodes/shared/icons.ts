/** The Clipia mark, light and dark: one copy in icons/ (gulp puts it in dist/icons), relative to each node's folder. */
export const CLIPIA_ICON = { light: 'file:../../icons/clipia.svg', dark: 'file:../../icons/clipia.dark.svg' } as const;
