/** The terminal's size as React state, updated on every 'resize' of the output stream. */
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';
import type { Size } from './screenModel.js';

const read = (stdout: NodeJS.WriteStream): Size => ({
  // A stream that isn't a terminal reports no size: draw for the smallest terminal the screen supports.
  columns: stdout.columns > 0 ? stdout.columns : 80,
  rows: stdout.rows > 0 ? stdout.rows : 24,
});

export function useTerminalSize(): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => read(stdout));
  useEffect(() => {
    const onResize = () => setSize(read(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
