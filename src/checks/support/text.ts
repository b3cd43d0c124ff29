/**
 * Reading what a page told a person. Patterns cover English and the Nordic languages the
 * merchants write in (Norwegian, Danish, Finnish, Swedish); they look for payment outcome
 * wording, not for any particular merchant's copy.
 */

const SUCCESS = [
  /\bthank(s| you)\b[^.!?\n]{0,40}\b(order|purchase|payment)/i,
  // "Thank you! Your payment is …": the thanks and the payment in the next sentence, unless that sentence reports a failure.
  /\bthank(s| you)\s*[!.]\s+(?![^.!?\n]*\b(not|never|failed|cancell?ed|declined|rejected|expired|unsuccessful)\b)[^.!?\n]{0,40}\b(order|purchase|payment)/i,
  // "reserved" is what AUTHORIZED means to the customer: the amount is reserved until the goods ship.
  /\bpayment\b[^.!?\n]{0,20}\b(was |is |has been )?(successful|succeeded|completed?|received|approved|confirmed|accepted|reserved|authori[sz]ed)\b/i,
  /\b(amount|funds|money)\b[^.!?\n]{0,20}\b(is |are |has been |have been |was |were )?reserved\b/i,
  /\b(beløpet|beløbet|betalingen|beloppet|betalningen)\b[^.!?\n]{0,20}\b(er |ble |blev |är )?(reservert|reserveret|reserverad|reserverat)\b/i,
  /\border\b[^.!?\n]{0,20}\b(is |has been |was )?(confirmed|complete|completed|placed|paid)\b/i,
  /\bbetaling(en)?\b[^.!?\n]{0,20}\b(er |ble |blev |är )?(gjennomført|godkjent|fullført|mottatt|bekreftet|gennemført|godkendt|modtaget|genomförd|godkänd)\b/i,
  /\btakk for\b[^.!?\n]{0,30}\b(ordre|bestilling|kjøp|handel)/i,
  /\btak for\b[^.!?\n]{0,30}\b(ordre|bestilling|køb|handel)/i,
  /\btack för\b[^.!?\n]{0,30}\b(order|beställning|köp)/i,
  /\bordre(n)? (er )?(bekreftet|betalt|bekræftet)\b/i,
  /\bkiitos\b[^.!?\n]{0,30}\b(tilau|osto)/i,
  /\bmaksu\b[^.!?\n]{0,20}\b(onnistui|vastaanotettu|hyväksytty)\b/i,
];

const FAILURE = [
  /\b(cancell?ed|aborted|failed|declined|rejected|expired|unsuccessful|terminated)\b/i,
  /(\bnot|n't|\bnever) (been )?(completed?|approved|confirmed|go through|went through|successful|processed)\b/i,
  /\b(could not|couldn't|unable to|was not able to)\b/i,
  /\b(avbrutt|avbrøt|kansellert|feilet|mislyk\w*|avvist|utløpt|ikke (blitt )?(gjennomført|godkjent|fullført))\b/i,
  /\b(annulleret|afbrudt|afvist|udløbet|mislykkedes|ikke (blevet )?gennemført)\b/i,
  /\b(avbruten|avbröts|misslyckades|nekad|utgången|inte (genomförd|godkänd))\b/i,
  /\b(peruttu|peruutettu|epäonnistui|hylätty|vanhentunut)\b/i,
];

const PENDING = [
  /\bpending\b/i,
  /\b(waiting|awaiting)\b[^.!?\n]{0,30}\b(payment|confirmation|approval|vipps|mobilepay)\b/i,
  /\bpayment\b[^.!?\n]{0,20}\b(is )?(processing|in progress|not yet (confirmed|completed|approved))\b/i,
  /\b(confirm|approve)\b[^.!?\n]{0,30}\b(in|i) (the )?(vipps|mobilepay)( app)?\b/i,
  /\b(venter|avventer|afventer|väntar)\b[^.!?\n]{0,30}\b(betaling|bekreftelse|bekræftelse|vipps|mobilepay)\b/i,
  /\bbetaling(en)?\b[^.!?\n]{0,10}\b(behandles|er under behandling|behandlas)\b/i,
  /\bodottaa\b[^.!?\n]{0,20}\b(maksu|vahvistus)/i,
];

const LOGIN_WALL = [
  /\b(session|sesjon|økt|økten|sessionen)\b[^.!?\n]{0,25}\b(has )?(expired|timed out|utløpt|udløbet|gått ut|löpt ut)\b/i,
  /\byour session\b/i,
  /\b(please|you must|you need to|to continue,?)\s+(log|sign) ?in\b/i,
  /\b(log|sign) ?in to (continue|see|view)\b/i,
  /\blogg inn for å\b/i,
  /\blog ind for at\b/i,
  /\bkirjaudu sisään\b/i,
  /\bunauthori[sz]ed\b/i,
];

/** Signs that a page dumps a raw API error, JSON or a stack trace to the person. */
const RAW_ERROR: { re: RegExp; what: string }[] = [
  { re: /\{\s*"(type|title|status|traceId|extraDetails|error|errors|message|statusCode|detail)"\s*:/, what: 'raw JSON' },
  { re: /\btraceId\b/i, what: 'a traceId' },
  { re: /\bat (Object\.|async |new |Module\.|process\.|[\w$.<>]+ \()[^\n]*:\d+:\d+\)?/, what: 'a stack trace' },
  { re: /^\s*(\w*Error|Exception)(: |\n)[^\n]*\n\s+at /m, what: 'a stack trace' },
  { re: /\b(TypeError|ReferenceError|SyntaxError|RangeError|NullPointerException|UnhandledPromiseRejection)\b/, what: 'a programming error' },
  { re: /\bCannot read propert(y|ies) of (undefined|null)\b/, what: 'a programming error' },
  { re: /\bundefined is not\b|\[object Object\]/, what: 'a programming error' },
  { re: /https:\/\/httpstatuses\.io\/\d{3}/, what: 'a raw problem-details type' },
  { re: /\bapplication\/problem\+json\b/, what: 'a raw content type' },
];

const anyMatch = (res: readonly RegExp[], text: string): RegExp | undefined => res.find((r) => r.test(text));

/** Negated phrases ("was not completed", "ikke gjennomført") must not read as success. */
const NEGATED = /\b(not|never|ikke|inte|ei|n't)\s+(been\s+|blitt\s+|blevet\s+)?[\wæøåäöÆØÅÄÖ]+/gi;
export const showsSuccess = (text: string): boolean => anyMatch(SUCCESS, text.replace(/n't\b/gi, ' not').replace(NEGATED, ' ')) !== undefined;
export const showsFailure = (text: string): boolean => anyMatch(FAILURE, text) !== undefined;
export const showsPending = (text: string): boolean => anyMatch(PENDING, text) !== undefined;
export const showsLoginWall = (text: string): boolean => anyMatch(LOGIN_WALL, text) !== undefined;

/** What raw error material a page shows, if any (e.g. "raw JSON", "a stack trace"). */
export function rawErrorIn(text: string): string | undefined {
  return RAW_ERROR.find((r) => r.re.test(text))?.what;
}

export type Outcome = 'success' | 'failure' | 'pending';

export interface PageJudgement {
  /** ok: the page says what it should; bad: it says something wrong; unclear: a person must read it. */
  result: 'ok' | 'bad' | 'unclear';
  reason: string;
}

/** Does the page tell the person the outcome they should see? */
export function judgeOutcome(text: string, expected: Outcome): PageJudgement {
  const s = showsSuccess(text);
  const f = showsFailure(text);
  const p = showsPending(text);
  const quote = excerpt(text);
  switch (expected) {
    case 'success':
      if (s && !f) return { result: 'ok', reason: `shows success: "${quote}"` };
      if (s && f) return { result: 'unclear', reason: `shows both success and failure wording: "${quote}"` };
      if (f) return { result: 'bad', reason: `shows a failure for a payment that succeeded: "${quote}"` };
      if (p) return { result: 'bad', reason: `still shows the payment as pending: "${quote}"` };
      return { result: 'bad', reason: `does not show a successful payment: "${quote}"` };
    case 'failure':
      if (f && !s) return { result: 'ok', reason: `shows the failure: "${quote}"` };
      if (s && f) return { result: 'unclear', reason: `shows both success and failure wording: "${quote}"` };
      if (s) return { result: 'bad', reason: `shows success for a payment that did not go through: "${quote}"` };
      if (p) return { result: 'bad', reason: `still shows the payment as pending: "${quote}"` };
      return { result: 'bad', reason: `does not tell the customer the payment did not go through: "${quote}"` };
    case 'pending':
      if (p && !s && !f) return { result: 'ok', reason: `shows the payment as pending: "${quote}"` };
      if (f && !p) return { result: 'bad', reason: `shows a failure while the payment is still CREATED: "${quote}"` };
      if (s && !p) return { result: 'bad', reason: `shows success before the customer approved: "${quote}"` };
      if (p) return { result: 'unclear', reason: `mixes pending with other outcome wording: "${quote}"` };
      return { result: 'unclear', reason: `does not say the payment is pending: "${quote}"` };
  }
}

/** First ~100 characters of a page's text, on one line. */
export function excerpt(text: string, max = 100): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
