/**
 * strftime for log file names (`%` codes in local time: docs/logging.md, "Files"). Covers the codes
 * of C's strftime that make sense in a path; an unknown code is kept as written, as glibc does.
 */

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function pad(n: number, width = 2, fill = "0"): string {
  return String(n).padStart(width, fill);
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  const today = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((today.getTime() - start.getTime()) / 86_400_000) + 1;
}

// Week number with weeks starting on `firstDay` (0 = Sunday for %U, 1 = Monday for %W).
function weekOfYear(d: Date, firstDay: number): number {
  const yday = dayOfYear(d) - 1;
  const wday = (d.getDay() + 7 - firstDay) % 7;
  return Math.floor((yday + 7 - wday) / 7);
}

// ISO 8601 week number and its year (%V, %G).
function isoWeek(d: Date): [number, number] {
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return [Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7), t.getUTCFullYear()];
}

function tzOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return `${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

function code(c: string, d: Date): string | undefined {
  switch (c) {
    case "Y":
      return String(d.getFullYear());
    case "y":
      return pad(d.getFullYear() % 100);
    case "C":
      return pad(Math.floor(d.getFullYear() / 100));
    case "m":
      return pad(d.getMonth() + 1);
    case "d":
      return pad(d.getDate());
    case "e":
      return pad(d.getDate(), 2, " ");
    case "j":
      return pad(dayOfYear(d), 3);
    case "H":
      return pad(d.getHours());
    case "I":
      return pad(d.getHours() % 12 || 12);
    case "M":
      return pad(d.getMinutes());
    case "S":
      return pad(d.getSeconds());
    case "p":
      return d.getHours() < 12 ? "AM" : "PM";
    case "a":
      return DAYS[d.getDay()]!.slice(0, 3);
    case "A":
      return DAYS[d.getDay()]!;
    case "b":
    case "h":
      return MONTHS[d.getMonth()]!.slice(0, 3);
    case "B":
      return MONTHS[d.getMonth()]!;
    case "u":
      return String(d.getDay() || 7);
    case "w":
      return String(d.getDay());
    case "U":
      return pad(weekOfYear(d, 0));
    case "W":
      return pad(weekOfYear(d, 1));
    case "V":
      return pad(isoWeek(d)[0]);
    case "G":
      return String(isoWeek(d)[1]);
    case "F":
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    case "D":
      return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
    case "T":
      return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    case "R":
      return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    case "s":
      return String(Math.floor(d.getTime() / 1000));
    case "z":
      return tzOffset(d);
    case "n":
      return "\n";
    case "t":
      return "\t";
    case "%":
      return "%";
    default:
      return undefined;
  }
}

/** Formats `date` (local time) with C strftime `%` codes; unknown codes stay as written. */
export function strftime(format: string, date: Date): string {
  if (!format.includes("%")) return format;
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== "%" || i === format.length - 1) {
      out += ch;
      continue;
    }
    const c = format[i + 1]!;
    const value = code(c, date);
    if (value === undefined) {
      out += "%" + c;
    } else {
      out += value;
    }
    i += 1;
  }
  return out;
}
