/**
 * The last decision, prominent while it is fresh: ✓ and what was done, or ✗ and why not (symbol and words,
 * not colour alone). Below it, discreetly, a read that was ignored (a double read). Both rows stay reserved
 * when empty so the screen doesn't jump.
 */
import { Box, Text } from 'ink';
import type { Glyphs } from '../glyphs.js';
import type { ScreenModel } from '../screenModel.js';

export function LastDecision({
  decision,
  note,
  glyphs,
}: Pick<ScreenModel, 'decision' | 'note'> & { glyphs: Glyphs }) {
  const colour = decision?.ok ? 'green' : 'red';
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box height={3}>
        {decision && (
          <Box borderStyle={glyphs.border} borderColor={colour} paddingX={1} flexGrow={1}>
            <Text bold color={colour} wrap={decision.item === undefined ? 'truncate-end' : 'truncate-middle'}>
              {decision.item === undefined ? decision.label : `${decision.label}   ${decision.item}`}
            </Text>
          </Box>
        )}
      </Box>
      <Box height={1} paddingLeft={1}>
        {note !== undefined && (
          <Text dimColor wrap="truncate-end">
            {`${glyphs.noteMark} ${note}`}
          </Text>
        )}
      </Box>
    </Box>
  );
}
