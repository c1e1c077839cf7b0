/** The mode, large and unmistakable: block letters and an arrow on a coloured bar, with the word in plain text too. */
import { Box, Text } from 'ink';
import { blockRows } from '../blockFont.js';
import type { Glyphs } from '../glyphs.js';
import type { ScreenModel } from '../screenModel.js';

const colours = {
  loan: { background: 'blue', text: 'whiteBright' },
  return: { background: 'yellow', text: 'black' },
} as const;

export function ModeBanner({
  mode,
  scale,
  glyphs,
}: {
  mode: ScreenModel['mode'];
  scale: ScreenModel['bannerScale'];
  glyphs: Glyphs;
}) {
  const { background, text } = colours[mode.mode];
  if (scale === 0) {
    return (
      <Box backgroundColor={background} flexShrink={0}>
        <Text bold color={text} wrap="truncate-end">
          {` ${mode.arrow} ${mode.word} ${glyphs.separator} ${mode.caption}`}
        </Text>
      </Box>
    );
  }
  const rows = blockRows(`${mode.mode === 'loan' ? '>' : '<'} ${mode.word}`, scale);
  return (
    <Box backgroundColor={background} flexShrink={0} height={rows.length}>
      <Box flexDirection="column" paddingLeft={1} flexShrink={0}>
        {rows.map((row, i) => (
          <Text key={i} color={text}>
            {row}
          </Text>
        ))}
      </Box>
      <Box flexDirection="column" justifyContent="center" paddingLeft={3} flexGrow={1} flexShrink={1}>
        <Text bold color={text} wrap="truncate-end">
          {`${mode.arrow} ${mode.word}`}
        </Text>
        <Text color={text} wrap="truncate-end">
          {mode.caption}
        </Text>
      </Box>
    </Box>
  );
}
