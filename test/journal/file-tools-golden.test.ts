/**
 * The file tools' answers, byte for byte, on generated files: what `verify` prints (text and --json),
 * what `merge` prints and writes, what `export` prints and writes, and their exit codes, hashed
 * (SHA-256, test/fixtures/offcirc/golden.ts) and compared with hashes recorded from the code before the
 * tools were made faster (issue 13). The files are generated from fixed seeds, with every problem and
 * note verify knows, duplicates within and across files, times going backwards, CRLF and LF, unpadded
 * returns, cut last lines, binary files, and chunk boundaries inside a CRLF. The larger pair for the
 * merge is in file-tools-golden-big.test.ts.
 *
 * A hash that differs means an answer changed: find out which (print the answers of the old and the new
 * code) before re-recording. To re-record on purpose: GOLDEN_RECORD=/tmp/golden.json npx vitest run
 * test/journal/file-tools-golden.test.ts, then paste the file's hashes below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { NOTE_CODES, PROBLEM_CODES } from '../../src/journal/verify.js';
import { Golden } from '../fixtures/offcirc/golden.js';
import {
  START_MINUTE,
  bytesOf,
  goodLines,
  noisyLines,
  stampOf,
  straddling,
  withCopiesOf,
  type GenLine,
} from '../fixtures/offcirc/generate.js';

let g: Golden;
const verify = (names: string[], json: boolean, perKind?: number) => g.verify(names, json, perKind);
const merge = (...args: Parameters<Golden['merge']>) => g.merge(...args);

const loanAt = (minute: number, item: string, patron: string): GenLine => ({
  content: `${stampOf(minute)}L${item.padEnd(80, ' ')}${patron}`,
  ending: '\r\n',
  minute,
});

beforeAll(async () => {
  g = await Golden.start(GOLDEN);
  const put = (name: string, content: string | Uint8Array) => g.put(name, content);
  const goodCrlf = goodLines({ seed: 1, count: 3000, unpadded: 0.1 });
  const goodLf = goodLines({ seed: 2, count: 3000, ending: '\n', startMinute: START_MINUTE + 7 });
  const good = (n: number, seed = 9) => goodLines({ seed, count: n });
  await put('good-crlf.dat', bytesOf(goodCrlf));
  await put('good-lf.dat', bytesOf(goodLf));
  await put('koha.dat', bytesOf(goodLines({ seed: 3, count: 2000, itemMax: 20, patronMax: 32 })));
  await put(
    'koha-crowded.dat',
    bytesOf(goodLines({ seed: 5, count: 300, itemMax: 20, patronMax: 32, sameMinute: 0.99 })),
  );
  await put(
    'koha-backwards.dat',
    bytesOf(goodLines({ seed: 6, count: 500, itemMax: 20, patronMax: 32, backwards: 0.02 })),
  );
  await put(
    'backwards.dat',
    bytesOf(goodLines({ seed: 4, count: 2000, backwards: 0.01, backBy: 3000, repeat: 0.02 })),
  );
  // A transaction repeated after the clock went back one hour (found) and two days (beyond the window).
  const day = 24 * 60;
  const t0 = START_MINUTE + 10 * day + 600;
  await put(
    'window.dat',
    bytesOf([
      loanAt(t0, 'HOUR', 'P1'),
      loanAt(t0, 'DAYS', 'P2'),
      loanAt(t0 + 60, 'LATER', 'P3'),
      loanAt(t0, 'HOUR', 'P1'),
      loanAt(t0 + 2 * day, 'FAR', 'P4'),
      loanAt(t0, 'DAYS', 'P2'),
      loanAt(t0 + 2 * day, 'FAR', 'P4'),
    ]),
  );
  const noisyA = noisyLines({
    seed: 10,
    count: 4000,
    rate: 0.15,
    otherEnding: 0.01,
    repeat: 0.01,
    unpadded: 0.1,
  });
  await put('noisy-a.dat', bytesOf(noisyA));
  const noisyB = noisyLines({ seed: 11, count: 4000, rate: 0.1, ending: '\n', repeat: 0.005 });
  await put('noisy-b.dat', bytesOf(withCopiesOf(noisyB, noisyA, 37)));
  await put('noisy-big.dat', bytesOf(noisyLines({ seed: 12, count: 30_000, rate: 0.02, repeat: 0.002 })));
  await put(
    'straddle.dat',
    straddling(13, [65_536, 131_072, 196_608, 1 << 20, (1 << 20) + 65_536, 2 << 20], (2 << 20) + 4000),
  );
  await put(
    'dups-across.dat',
    bytesOf(withCopiesOf(goodLines({ seed: 14, count: 3000, startMinute: START_MINUTE + 3 }), goodCrlf, 50)),
  );
  const body = bytesOf(good(50)).toString('latin1');
  const tail = good(1, 77)[0]?.content ?? '';
  await put('last-cut.dat', body + tail.slice(0, 40));
  await put('last-loan.dat', body + `${stampOf(START_MINUTE + 9000)}L${'ITEM1'.padEnd(80)}PATRON9`);
  await put('last-return.dat', body + `${stampOf(START_MINUTE + 9000)}R${'ITEM2'.padEnd(80)}`);
  await put('last-unpadded.dat', body + `${stampOf(START_MINUTE + 9000)}RITEM3`);
  await put('last-bad.dat', body + `${stampOf(START_MINUTE + 9000)}L${'ITEM4'.padEnd(80)}P 9`);
  await put('only-partial.dat', '2026');
  await put('empty.dat', '');
  await put('blank-lines.dat', '\r\n\r\n\n');
  await put('cr-only.dat', body.replaceAll('\r\n', '\r'));
  await put('bom.dat', `\xef\xbb\xbf${body}`);
  await put('mixed.dat', bytesOf(good(200).map((l, i) => ({ ...l, ending: i % 7 === 3 ? '\n' : '\r\n' }))));
  await put('zero-tail.dat', Buffer.concat([Buffer.from(body, 'latin1'), Buffer.alloc(5000)]));
  await put('long-line.dat', `${body}${'A'.repeat(200_000)}\r\n${body}`);
  await put('png.dat', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  await put('zip.dat', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]));
  await put('utf16.dat', Buffer.from(`\ufeff${body.slice(0, 300)}`, 'utf16le'));
  await put(
    'nul.dat',
    Buffer.concat([Buffer.from('2026010112'), Buffer.alloc(40), Buffer.from(body, 'latin1')]),
  );
  await put('odd.dat', Buffer.from(Array.from({ length: 600 }, (_, i) => 0x80 + (i % 120))));
  await mkdir(path.join(g.folder.dir, 'a-folder'));
}, 60_000);

afterAll(() => g.end());

const SINGLE = [
  'good-crlf.dat',
  'good-lf.dat',
  'koha.dat',
  'backwards.dat',
  'window.dat',
  'noisy-a.dat',
  'noisy-b.dat',
  'noisy-big.dat',
  'straddle.dat',
  'dups-across.dat',
  'last-cut.dat',
  'last-loan.dat',
  'last-return.dat',
  'last-unpadded.dat',
  'last-bad.dat',
  'only-partial.dat',
  'empty.dat',
  'blank-lines.dat',
  'cr-only.dat',
  'bom.dat',
  'mixed.dat',
  'zero-tail.dat',
  'long-line.dat',
  'png.dat',
  'zip.dat',
  'utf16.dat',
  'nul.dat',
  'odd.dat',
  'a-folder',
  'missing.dat',
];

describe('file tools: the same answers as before, byte for byte', () => {
  it('verify, one file at a time, text and --json', async () => {
    const cases: Record<string, () => Promise<string>> = {};
    for (const name of SINGLE) {
      cases[`verify ${name}`] = () => verify([name], false);
      cases[`verify --json ${name}`] = () => verify([name], true);
    }
    await g.expect(cases);
  });

  it('verify, several files (duplicates across them), and every finding listed', async () => {
    await g.expect({
      'verify good pair': () => verify(['good-crlf.dat', 'good-lf.dat'], false),
      'verify a file twice': () => verify(['good-crlf.dat', 'good-crlf.dat'], false),
      'verify --json a file twice': () => verify(['koha.dat', 'koha.dat'], true),
      'verify copies across files': () => verify(['good-crlf.dat', 'dups-across.dat'], true),
      'verify noisy pair': () => verify(['noisy-a.dat', 'noisy-b.dat'], false),
      'verify --json noisy pair': () => verify(['noisy-a.dat', 'noisy-b.dat'], true),
      'verify all noisy, all listed': () =>
        verify(['noisy-a.dat', 'noisy-b.dat', 'noisy-big.dat'], false, 1e9),
      'verify --json all noisy, all listed': () =>
        verify(['noisy-a.dat', 'noisy-b.dat', 'noisy-big.dat', 'noisy-a.dat'], true, 1e9),
      'verify --json everything, all listed': () => verify(SINGLE, true, 1e9),
      'verify everything': () => verify(SINGLE, false),
      'verify no file': () => verify([], false),
    });
    expect([...g.problemCodes].sort()).toEqual(PROBLEM_CODES.filter((c) => !c.startsWith('koha-')).sort());
    expect([...g.noteCodes].sort()).toEqual([...NOTE_CODES].sort());
  });

  it('merge: what it prints, its exit code and the file it writes', async () => {
    await g.expect({
      'merge good pair': () => merge(['good-crlf.dat', 'good-lf.dat']),
      'merge good pair, LF': () => merge(['good-crlf.dat', 'good-lf.dat'], { lineEnding: 'lf' }),
      'merge good pair reversed': () => merge(['good-lf.dat', 'good-crlf.dat']),
      'merge one LF file': () => merge(['good-lf.dat']),
      'merge three': () => merge(['koha.dat', 'good-crlf.dat', 'good-lf.dat']),
      'merge backwards': () => merge(['backwards.dat', 'good-lf.dat']),
      'merge koha backwards': () => merge(['koha-backwards.dat', 'koha-crowded.dat']),
      'merge last lines': () => merge(['last-loan.dat', 'last-return.dat', 'straddle.dat']),
      'merge straddle': () => merge(['straddle.dat', 'good-crlf.dat'], { lineEnding: 'crlf' }),
      'merge empty': () => merge(['empty.dat', 'good-lf.dat']),
      'merge refused: noisy': () => merge(['noisy-a.dat', 'good-crlf.dat']),
      'merge refused: twice': () => merge(['good-crlf.dat', 'good-crlf.dat']),
      'merge refused: copies': () => merge(['good-crlf.dat', 'dups-across.dat']),
      'merge refused: window': () => merge(['window.dat']),
      'merge refused: cut': () => merge(['last-cut.dat']),
      'merge refused: unpadded last': () => merge(['last-unpadded.dat']),
      'merge refused: binary': () => merge(['png.dat', 'good-lf.dat']),
      'merge refused: missing': () => merge(['good-lf.dat', 'missing.dat']),
      'merge refused: folder': () => merge(['a-folder']),
      'merge refused: no input': () => merge([]),
    });
  });

  it('export --format koha: what it prints, its exit code and the file it writes', async () => {
    const seen: string[] = [];
    const run = (name: string) => async () => {
      const { hash, err } = await g.exportKoha(name);
      seen.push(...err);
      return hash;
    };
    await g.expect({
      'export koha.dat': run('koha.dat'),
      'export koha-crowded.dat': run('koha-crowded.dat'),
      'export koha-backwards.dat': run('koha-backwards.dat'),
      'export good-crlf.dat': run('good-crlf.dat'),
      'export last-loan.dat': run('last-loan.dat'),
      'export last-return.dat': run('last-return.dat'),
      'export noisy-a.dat': run('noisy-a.dat'),
      'export window.dat': run('window.dat'),
      'export png.dat': run('png.dat'),
      'export missing.dat': run('missing.dat'),
    });
    const said = seen.join('\n');
    expect(said).toContain("Koha's offline circulation keeps at most 20");
    expect(said).toContain("Koha's offline circulation keeps at most 32");
    expect(said).toContain('more than 60 transactions in the minute');
  });
});

/** Recorded from the code of commit 23ea9e1 (before issue 13's changes to verify and merge). */
const GOLDEN: Record<string, string> = {
  'verify good-crlf.dat': '93d28315e6baf72c99782ea621437fb5cc0a67b8603876a2e7e087184b5e6db8',
  'verify --json good-crlf.dat': '21b7e5ec7559e2d071acbe88b1154b54316bf92c50b6514a6064ae101b4ce020',
  'verify good-lf.dat': '1e6c8bfc418fe0380ab56313e61f8ef680f570fa210203a81750d8286c5379db',
  'verify --json good-lf.dat': '3cf6f4fa3c1f08634bf0028e7751adbf42e642ccf7e896718d028b84e7546a30',
  'verify koha.dat': '7489c921e9f2e34a1545e5a90c008e0c045bfbae751b296bd8d356bb7700cd30',
  'verify --json koha.dat': '956267e3a363af6e31b907a746344e6c4ff0bdf079df1f480016a9e2f43c0ad6',
  'verify backwards.dat': 'f36ae90aa77411bef803d6896927786f232d3779a4bebf862152b61f2e2e3050',
  'verify --json backwards.dat': 'f24f0fb8681e28c42b2b93092bb4fe9eb1107217810d19e3093988e17abb7528',
  'verify window.dat': 'a4b8681f31c74af39cb74122969c354963d604b3fd02e3939f3e7ead8f0c578e',
  'verify --json window.dat': 'a706cca8b73b71f0e6471eee57a4f3ccb95962698c72769c917226959efda5ff',
  'verify noisy-a.dat': '791c48b80b8e2f1fb6bfe2bf48f559b761ae78f8862782eaafc8203989d88ea3',
  'verify --json noisy-a.dat': '80500bd05cc0b901d5a056ebaa725ffecf7441355d357778adef42c1e026caa6',
  'verify noisy-b.dat': 'f1266b56c07fe022a9da2185d9ae3f5e68b6b7186593aff834f939411e571c82',
  'verify --json noisy-b.dat': '8261f15730efda7754cc2abe8c0823bfb01b8ed1cd382dcea4f0b45bcd650490',
  'verify noisy-big.dat': 'a018bb4ee6e194c8d945dc22a6e3ede6d5518f50a19bd7d5a588a531f6d82102',
  'verify --json noisy-big.dat': '97827b3d94fb1e07cac75e56e9a115d9780eaef9bcbfb438797e41873169a44d',
  'verify straddle.dat': 'e453cadf1390e1a88e3a46ede35571b4c3cd517719f5f29636fbb764c5efda70',
  'verify --json straddle.dat': '62b9e43a3fc59461079708e1d528944c371e0324844f1002cb1d250fba41ee88',
  'verify dups-across.dat': '1c428e9a593d7dcc014a45796e3f06400a541651766ba667c66ce8c0c0bdeccd',
  'verify --json dups-across.dat': '020f8929a70bf2db78cc721f3ae9db02eff9ded20bd4a4d8ff4daa2eb2d1daa0',
  'verify last-cut.dat': '6f4be403355947a816c82aeaf8b05c3e21d6dd3946976ca8877906a8dc3ce1c0',
  'verify --json last-cut.dat': '882cb48176842e95beb557e2580f9f15b1075b69064ab66389632405dcf62f95',
  'verify last-loan.dat': 'd258197dccf800a38ec8985b688d9a961affd67b872f0651324d6a3a18953ca3',
  'verify --json last-loan.dat': 'c51982ebd9a862a81e089588bc75aaa3fcac6cda024c754f9fbf498352e16427',
  'verify last-return.dat': 'd63bda8aca391f95b06ae288e9f03cac30077017843db6a1c3f2e3f5a27807af',
  'verify --json last-return.dat': 'ab99f2392e5a54d053977fd81b8c50c0bd278313fb923ddcddea37a4778574f4',
  'verify last-unpadded.dat': '390823e3934474555e00c3d6972f02df4ab23812145259e2f6095b477eb2e7b8',
  'verify --json last-unpadded.dat': 'e18b6adb638f185e816951adfea6c878189c1f4ea1c3ce5e019b68ccc2ba5266',
  'verify last-bad.dat': '1c2ad0292195775f5f4c9e3ca8e3dc3e72ed6920c82410dfde38e301f11ac0c9',
  'verify --json last-bad.dat': 'e17cf1393f4a9af45792f8ec290a469110c1ad1dca88f22bf3a0c9cc3af82f70',
  'verify only-partial.dat': 'b48386d184bfc0b0dba97279097c9add1a53160a4c453e0e5a172787fd8b978f',
  'verify --json only-partial.dat': '1b90397982791d8a7bf4a154374a9bea64e3714027c8a981b256bb6625d7a4a7',
  'verify empty.dat': 'b2f205e171319027087273fe1d770255e2c223307ec7153bdbd2804e17d54df3',
  'verify --json empty.dat': 'eaa10395d1896156af978442a28182026cb65bef6e4511400952c4ff906146d7',
  'verify blank-lines.dat': 'c7ea1b54304fa2519bec369e645ebc654e794a0526b20be808b23774ec69461d',
  'verify --json blank-lines.dat': '001e2d4d8c7a799140ebe6d64419be625b1021c3c64eaa85b5f89dd80b9b70e0',
  'verify cr-only.dat': '6206f7fccd21ed11032059391a4ff117a50247a020dde59611ec6bb3a1aacb91',
  'verify --json cr-only.dat': 'fb9e743e431eb5c1c87548affb869f0d46e48bcf4e5ebbaaf92b5f246928ac90',
  'verify bom.dat': '353882aa8e4db19b2514e5701e5433891292cb937b822fdc048f3c6e71aae52d',
  'verify --json bom.dat': '33a41f8a58d6d671527f94ac9dd3b2903892dec13b9f647fc32ab083205975d5',
  'verify mixed.dat': '395d825027160b58d424524c2383a1c925b8778853302618c3c2b20d671fa170',
  'verify --json mixed.dat': 'b2f1db52d5a95b37e7d9c8b10e35b6e890eba00cd6ae143f0b8c7cc57c140c54',
  'verify zero-tail.dat': 'f2168769739e805fee3b8ac3e4a76ba7ada2d5830c90a737f9057329cea552d7',
  'verify --json zero-tail.dat': 'ce6361d0257396629d5f22b406262efda86aa842a77cabedf3d1dbe979c7afaf',
  'verify long-line.dat': 'ec2e10a1e866cff97f21da23ecdc031af620657cc5f95f4e3a5991ee3979d3ef',
  'verify --json long-line.dat': '7a9c3dfdb608e159dc033c0a05136796fd46c3638befc62788ee8e741791fb80',
  'verify png.dat': '13b3b7b0793133f67e242a2abd104d42b50e304f6551cf5861d4eda6eae9ecc9',
  'verify --json png.dat': '7f20b05158d964cccf810d4af14fc128f5fdc25ec4ae32c366b3bd42769a73ec',
  'verify zip.dat': '1f911b9640e5eee430e2aaae672e7035594bbf68263ad2c163383d79d335574c',
  'verify --json zip.dat': 'be1b95f02e6f7e4a419a715ad9ba07dd0d331611221bc004f24250c933103c1b',
  'verify utf16.dat': 'd9174e1bd53e6aa6d8273d53772ba2d0b0c5e9ad0365b6843d4873790caf222a',
  'verify --json utf16.dat': 'd73b07517bbfc50997ef2ce270889298af072ab75f0590b9efb03d3ff23d6645',
  'verify nul.dat': 'bc5d534402a83f2b3d4db80d1e05699eefc084d229ecfe516e3952059e97428a',
  'verify --json nul.dat': 'd5b8d9309422cb8363823209a79b05547a2a96e437866bd633a5e903206cd440',
  'verify odd.dat': 'b6fdd657931e0389b428591e6276c138ff493ac2a00910d69fb92f8d24cddd5e',
  'verify --json odd.dat': '8c14149da13a3a9b276757e626ec901273dd75763a0055a9af2c0685623b35e8',
  'verify a-folder': '2ffd2600b49ef2799d7b05fd9d5078d31322dc03060ef6ce2814bf22d6f07c1f',
  'verify --json a-folder': 'edea1007d5fa323fbe458d0d1c59948c11e8d72756577339e2e8dac47c05b660',
  'verify missing.dat': 'fa78d3d5224dc3208229facb524fa2c0d2de2ec6d8daa842306e03a004c57b68',
  'verify --json missing.dat': 'cdaaa17965d8d346b0b1065b6f0acdd76781c22a513798daa67fd7ff6b7b022c',
  'verify good pair': '88dc5c709ca3208aeab0689856ca912f817e85cbbc87cebf2efb10e99f1d1285',
  'verify a file twice': '26e7f85bf1794bbf33c118769bee0b2b1f09a3a9caf9c35d0897f5259384a330',
  'verify --json a file twice': 'fdf27424cbad51f97545d1d5cd48364bf9762b8529dd6ad3984c4f3b53f9c597',
  'verify copies across files': '87006253e4cf47ce7642f265ad363bca83218cf7398ccc7b5fe3475fb09789a2',
  'verify noisy pair': 'c769c1cfcc66d21e9abcc5a9893c9d14999ecf332b64737191ec1716e8eff605',
  'verify --json noisy pair': 'c36d38156e2a18b467f7b2e983e02b42b26e1c937e20027019653cc580c1af59',
  'verify all noisy, all listed': 'c67015e4d6f668cd3bddd1917c457645481ea3b5d588b83cac8c7c02cd24590a',
  'verify --json all noisy, all listed': 'fa6200d22e789886628cc876142848440507cc9d07e92a43982ae33db4ef7d05',
  'verify --json everything, all listed': '14ae96f4be9c5dac78f7d7f210305ceda25b25382cda768b63a41d29daac3bd0',
  'verify everything': 'ff1348f7c115dc3fcffbd0637eded17341ab6874f5c8d44d06a5bb1a0be55b8d',
  'verify no file': 'b762f1d5b47d23628c9ee7b4967eb02e1af722b689b98ab971caca8bce13ed8a',
  'merge good pair': '236aded9a002f4c9abf7859f37e55dcf23bb9403f41e5b90e4ff59f2a4b0ef4c',
  'merge good pair, LF': 'd820eca2c5d169849f1c6e42f99d1d5ff5d2743c6e05c620b28d1536dc870b37',
  'merge good pair reversed': '9677f892003f0e99f0200be3c9aac7e5f0d81c384c5ca2ef124b69f503d512af',
  'merge one LF file': 'b1b8674e21095f1f84ca60b2ba420406662aa78f5db1e0447b186994a971ae91',
  'merge three': '8f98910569a0e1050535280b6d80b924d644e0a33f27e1912a2765f709f7d944',
  'merge backwards': '16246333ea1a64aba45c697190c4f0077ba0105f80718489df702fc7260fdd77',
  'merge koha backwards': '07e062b56fce2d13bdf38cbe8f82d3dfeb1e25ab339d18282bfd5978cfd88288',
  'merge last lines': 'de695da76efbc9e83ed3c9b07b671da1c556aa4ca73c386c997e0d3bf6e94e0e',
  'merge straddle': '85abd0c5af98207236c1f6e6104d1de0e795d7dc3e5839f983d35b3d5aa1acf0',
  'merge empty': 'b5f2a0e6790ce23ec37e66e1e7d69c53cbae4c2ba193db92dcdbfac1c793ddaa',
  'merge refused: noisy': '85878a4d75bdb40d4537681ed12a88c80e3d10614fc4c1b5632fc441c44fc9fa',
  'merge refused: twice': '771bd61266f965c9e23c10f8f0f4bff701f938b69dcb2c2acf77de6fde50db59',
  'merge refused: copies': '5a1a3a7ba851d63e70c3765750882a39d0739a19acc7932ae80f54355025c083',
  'merge refused: window': 'e5279493bdd35e69d84293625f4ff274389c80d29435cbf6012daba9c3e0c15c',
  'merge refused: cut': '4cf925407c10fe9478cf4a025e6fbc87413fce5950bd8d0d74931d576fa40d58',
  'merge refused: unpadded last': '9bb79f4b13e65554b793a82809947446b6229b89badec1f9febe0efab0da2aca',
  'merge refused: binary': '316c74d2a524fb0ebbb5d4216b7328f184ff18c3c3b2c229be3efbded4aa333d',
  'merge refused: missing': '9dccc28e1b4ca4c6d704e1a86d70f7d5b6e37c528c626b2ca8591b6988818919',
  'merge refused: folder': '651b77b331ffc23deb5917d6ce4a06d7c6e55be1694c90da56adceea13f3bef2',
  'merge refused: no input': '15e0e66153267a2761770804af4956f40fe65c16ca69471aca0a15fbde0564b2',
  'export koha.dat': '322a8dcbdb97ee1533873568ba366b45f9403a7110401f0cde3bec54d7878271',
  'export koha-crowded.dat': 'b6d25d983434c5b75441369c26a62011b96013a05b6b2a89c0fe400c33b51fbb',
  'export koha-backwards.dat': '5bfd9efc3cf62e1b6835be895cbf0e6b15338f351083e21ef07777b6a4e308d9',
  'export good-crlf.dat': 'dad48fc45c33c6966f45e75ed9e641b07a78e53720a96e07a95aaf4f1802e6e6',
  'export last-loan.dat': '7e92a8c70fc7d828d9bd5410621c670ac417a6ba5e71a6b0744a404d1244ae26',
  'export last-return.dat': 'bbb4cce7dc98f01c5c5877a0e6962e4946deb6a033effdf1607a16556f04fc9b',
  'export noisy-a.dat': '6e5ed33f5b38d17c41b04aef6d10ad03a08a20fd3a743dd526c207787b98c609',
  'export window.dat': '01dfd2e77f6ce5820d6e9c93895e2d0ea8b656f7bb89714a629b133fd3a47c12',
  'export png.dat': '5037002c5dcefa944c369537712460495f2032016f1cba5516673c3e03c5ca89',
  'export missing.dat': '62ae0b291bb82637bffd3368ddb4797a25ce4817e91366c2f1f8c728c5f512b5',
};
