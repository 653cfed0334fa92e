"""cURL commands: write one that reproduces a request byte-exact, and read the ones people paste."""

from __future__ import annotations

import base64
import re
from urllib.parse import quote_plus

from benji_desktop.interchange.model import HttpRequest, InterchangeError

# Headers curl computes itself from the URL and body; copying them would conflict with what it sends.
_COMPUTED_HEADERS = {"content-length", "transfer-encoding", "connection"}
_PRINTABLE = set(range(0x20, 0x7F))

_NO_ARG_FLAGS = {
    "-s", "--silent", "-S", "--show-error", "-v", "--verbose", "-i", "--include", "-L", "--location",
    "-k", "--insecure", "--compressed", "-f", "--fail", "--fail-with-body", "--http1.0", "--http1.1", "--http2",
    "--http2-prior-knowledge", "-N", "--no-buffer", "-g", "--globoff", "-#", "--progress-bar", "--raw",
    "--tr-encoding", "-4", "-6", "--ipv4", "--ipv6", "--no-progress-meter", "--path-as-is", "-q", "--disable",
    "--location-trusted", "--no-keepalive", "--tcp-nodelay", "--ssl-no-revoke",
}  # fmt: skip
_NO_ARG_SHORT = set("sSviLkfNg#46q")
_IGNORED_WITH_ARG = {
    "-o", "--output", "-m", "--max-time", "--connect-timeout", "--retry", "--retry-delay", "--retry-max-time",
    "-w", "--write-out", "-x", "--proxy", "--resolve", "--connect-to", "--cacert", "--capath", "--cert", "-E",
    "--key", "-c", "--cookie-jar", "--limit-rate", "--max-redirs", "--interface", "--proxy-user", "-U",
    "--trace", "--trace-ascii", "--stderr", "-y", "--speed-time", "-Y", "--speed-limit", "--dns-servers",
}  # fmt: skip
_DATA_OPTIONS = {"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode", "--json"}
_SHORT_WITH_ARG = {"X": "-X", "H": "-H", "d": "-d", "u": "-u", "A": "-A", "e": "-e", "b": "-b", "o": "-o",
                   "m": "-m", "w": "-w", "x": "-x", "E": "-E", "c": "-c", "U": "-U", "y": "-y", "Y": "-Y"}  # fmt: skip


def shell_quote(text: str) -> str:
    """Single-quote for POSIX shells; a quote inside becomes '\\''."""
    if text and re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def _printf_format(body: bytes) -> str:
    """A printf format that prints exactly `body`: octal escapes for anything not plain printable ASCII."""
    out: list[str] = []
    for byte in body:
        if byte == 0x25:
            out.append("%%")
        elif byte == 0x5C:
            out.append("\\\\")
        elif byte == 0x27:
            out.append("'\\''")
        elif byte in _PRINTABLE:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    return "'" + "".join(out) + "'"


def _shell_safe_text(body: bytes) -> str | None:
    """The body as text when it can sit inside single quotes unchanged, else None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("@"):  # --data-binary @x would read a file
        return None
    if any((ord(ch) < 0x20 and ch not in "\n\t") or ord(ch) == 0x7F for ch in text):
        return None
    return text


def to_curl(request: HttpRequest, url: str | None = None) -> str:
    """A copy-pasteable POSIX-shell cURL command that sends the same method, headers and body bytes.

    Text bodies go in `--data-binary '…'`; bodies that are not plain UTF-8 text (binary, control characters,
    a leading `@`) go through `printf '<octal escapes>' | curl --data-binary @-`, which any POSIX shell runs.
    """
    target = url or request.url
    lines: list[str] = []  # one option and its value per line
    has_body = bool(request.body)
    default_method = "POST" if has_body else "GET"
    if request.method.upper() != default_method:
        lines.append(f"-X {shell_quote(request.method.upper())}")
    seen_content_type = False
    for name, value in request.headers:
        lowered = name.lower()
        if lowered in _COMPUTED_HEADERS or (lowered == "host" and url is not None):
            continue
        seen_content_type = seen_content_type or lowered == "content-type"
        # `-H 'Name;'` is curl's spelling of a header with an empty value.
        lines.append(f"-H {shell_quote(f'{name}: {value}' if value else f'{name};')}")
    if has_body and not seen_content_type:
        lines.append(f"-H {shell_quote('Content-Type:')}")  # stop curl adding a form Content-Type
    prefix = ""
    if has_body:
        text = _shell_safe_text(request.body)
        if text is not None:
            lines.append(f"--data-binary {shell_quote(text)}")
        else:
            prefix = f"printf {_printf_format(request.body)} | "
            lines.append("--data-binary @-")
    lines.append(shell_quote(target))
    return prefix + "curl " + " \\\n  ".join(lines)


_ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}  # fmt: skip


def _ansi_c(text: str, start: int) -> tuple[bytes, int]:
    """Read a bash $'…' string from just after its opening quote; return its bytes and the index after it."""
    out = bytearray()
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "'":
            return bytes(out), i + 1
        if ch != "\\" or i + 1 >= len(text):
            out += ch.encode("utf-8", "surrogateescape")
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in _ANSI_SIMPLE:
            out += _ANSI_SIMPLE[nxt].encode()
            i += 2
        elif nxt == "x":
            digits = re.match(r"[0-9a-fA-F]{1,2}", text[i + 2 :])
            if not digits:
                out += b"\\x"
                i += 2
            else:
                out.append(int(digits.group(0), 16))
                i += 2 + len(digits.group(0))
        elif nxt in "01234567":
            digits = re.match(r"[0-7]{1,3}", text[i + 1 :])
            assert digits is not None
            out.append(int(digits.group(0), 8) & 0xFF)
            i += 1 + len(digits.group(0))
        elif nxt in "uU":
            digits = re.match(r"[0-9a-fA-F]{1,4}" if nxt == "u" else r"[0-9a-fA-F]{1,8}", text[i + 2 :])
            if not digits or int(digits.group(0), 16) > 0x10FFFF:
                out += ("\\" + nxt).encode()
                i += 2
            else:
                out += chr(int(digits.group(0), 16)).encode("utf-8", "surrogatepass")
                i += 2 + len(digits.group(0))
        elif nxt == "c" and i + 2 < len(text):
            out.append(ord(text[i + 2]) & 0x1F)
            i += 3
        else:
            out += ("\\" + nxt).encode("utf-8", "surrogateescape")
            i += 2
    raise InterchangeError("A $'…' string is not closed.")


_PIPE = object()


def shell_words(text: str) -> list[bytes | object]:
    """Split POSIX-shell text into words (as bytes, so $'\\xff' survives) and `|` markers."""
    words: list[bytes | object] = []
    current = bytearray()
    in_word = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "\r\n":
            i += 2 if text[i + 1 : i + 3] != "\r\n" else 3  # line continuation
            continue
        if ch in " \t\r\n":
            if in_word:
                words.append(bytes(current))
                current, in_word = bytearray(), False
            i += 1
            continue
        if ch == "|":
            if in_word:
                words.append(bytes(current))
                current, in_word = bytearray(), False
            words.append(_PIPE)
            i += 1
            continue
        in_word = True
        if ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise InterchangeError("A single-quoted string is not closed.")
            current += text[i + 1 : end].encode("utf-8", "surrogateescape")
            i = end + 1
        elif ch == "$" and i + 1 < n and text[i + 1] == "'":
            value, i = _ansi_c(text, i + 2)
            current += value
        elif ch == '"':
            i += 1
            while True:
                if i >= n:
                    raise InterchangeError("A double-quoted string is not closed.")
                ch = text[i]
                if ch == '"':
                    i += 1
                    break
                if ch == "\\" and i + 1 < n and text[i + 1] in '"\\$`\n':
                    if text[i + 1] != "\n":
                        current += text[i + 1].encode()
                    i += 2
                    continue
                current += ch.encode("utf-8", "surrogateescape")
                i += 1
        elif ch == "\\" and i + 1 < n:
            current += text[i + 1].encode("utf-8", "surrogateescape")
            i += 2
        else:
            current += ch.encode("utf-8", "surrogateescape")
            i += 1
    if in_word:
        words.append(bytes(current))
    return words


def _printf_output(fmt: bytes, args: list[bytes]) -> bytes:
    """What `printf FORMAT [ARG]` prints, for the escapes and `%%`/`%s` forms `to_curl` and people use."""
    out = bytearray()
    i = 0
    while i < len(fmt):
        byte = fmt[i]
        if byte == 0x5C and i + 1 < len(fmt):  # backslash
            nxt = chr(fmt[i + 1])
            if nxt in "01234567":
                digits = re.match(rb"[0-7]{1,3}", fmt[i + 1 :])
                assert digits is not None
                out.append(int(digits.group(0), 8) & 0xFF)
                i += 1 + len(digits.group(0))
                continue
            if nxt == "x":
                digits = re.match(rb"[0-9a-fA-F]{1,2}", fmt[i + 2 :])
                if digits:
                    out.append(int(digits.group(0), 16))
                    i += 2 + len(digits.group(0))
                    continue
            if nxt in _ANSI_SIMPLE:
                out += _ANSI_SIMPLE[nxt].encode()
                i += 2
                continue
            out += fmt[i : i + 2]
            i += 2
        elif byte == 0x25 and i + 1 < len(fmt):  # percent
            spec = chr(fmt[i + 1])
            if spec == "%":
                out.append(0x25)
            elif spec in "sb":
                out += args.pop(0) if args else b""
            else:
                raise InterchangeError(f"printf conversion %{spec} is not supported; paste the body instead.")
            i += 2
        else:
            out.append(byte)
            i += 1
    return bytes(out)


def _text(word: bytes) -> str:
    return word.decode("utf-8", "surrogateescape")


def _data_value(option: str, value: bytes, stdin: bytes | None) -> bytes:
    if option == "--data-urlencode":
        text = _text(value)
        if text.startswith("@"):
            raise InterchangeError("--data-urlencode reads a file; paste the body instead.")
        name, sep, content = text.partition("=")
        if not sep:
            return quote_plus(name).encode()
        return (f"{name}=" if name else "").encode() + quote_plus(content).encode()
    if option != "--data-raw" and value.startswith(b"@"):
        if value == b"@-" and stdin is not None:
            return stdin
        raise InterchangeError(f"{option} {_text(value)} reads the body from a file; paste the body instead.")
    return value


def parse_curl(text: str) -> HttpRequest:
    """Read a pasted cURL command (bash/zsh quoting, `$'…'`, line continuations, a `printf … |` pipe)."""
    words = shell_words(text.strip())
    stdin: bytes | None = None
    if _PIPE in words:
        segments: list[list[bytes]] = [[]]
        for word in words:
            if word is _PIPE:
                segments.append([])
            else:
                assert isinstance(word, bytes)
                segments[-1].append(word)
        if len(segments) != 2 or not segments[0] or segments[0][0] not in (b"printf", b"echo"):
            raise InterchangeError("Only `printf … | curl …` pipes are understood; paste a single curl command.")
        feeder, command = segments
        if feeder[0] == b"printf":
            if len(feeder) < 2:
                raise InterchangeError("printf has no format.")
            stdin = _printf_output(feeder[1], feeder[2:])
        else:
            no_newline = len(feeder) > 1 and feeder[1] == b"-n"
            stdin = b" ".join(feeder[2 if no_newline else 1 :]) + (b"" if no_newline else b"\n")
    else:
        command = [word for word in words if isinstance(word, bytes)]
    if not command or command[0] not in (b"curl", b"curl.exe"):
        raise InterchangeError("This is not a curl command: it should start with `curl`.")

    method: str | None = None
    headers: list[tuple[str, str]] = []
    data: list[bytes] = []
    urls: list[str] = []
    json_mode = head = get_mode = False
    args = command[1:]
    i = 0

    def take(option: str) -> bytes:
        nonlocal i
        if i + 1 >= len(args):
            raise InterchangeError(f"The curl option {option} needs a value.")
        i += 1
        return args[i]

    options_done = False
    while i < len(args):
        word = _text(args[i])
        option, value = word, None
        if not options_done and word.startswith("--") and "=" in word and word != "--":
            option, _, rest = word.partition("=")
            value = rest.encode("utf-8", "surrogateescape")
        elif not options_done and len(word) > 2 and word[0] == "-" and word[1] != "-":
            if word[1] in _SHORT_WITH_ARG:
                option, value = _SHORT_WITH_ARG[word[1]], args[i][2:]
            elif all(ch in _NO_ARG_SHORT for ch in word[1:]):
                option = "-s"
            elif all(ch in _NO_ARG_SHORT for ch in word[1:-1]) and word[-1] in _SHORT_WITH_ARG:
                option = _SHORT_WITH_ARG[word[-1]]  # e.g. -sX POST
        if options_done or not option.startswith("-") or option == "-":
            urls.append(word)
        elif option == "--":
            options_done = True
        elif option in ("-X", "--request"):
            method = _text(value if value is not None else take(option))
        elif option in ("-H", "--header"):
            line = _text(value if value is not None else take(option))
            name, sep, header_value = line.partition(":")
            if sep:
                if header_value.strip():
                    headers.append((name.strip(), header_value.strip()))
                else:
                    headers = [(n, v) for n, v in headers if n.lower() != name.strip().lower()]
            elif line.endswith(";"):
                headers.append((line[:-1].strip(), ""))
            elif line.startswith("@"):
                raise InterchangeError(f"-H {line} reads headers from a file; paste the headers instead.")
            else:
                raise InterchangeError(f"The header {line!r} has no ':'.")
        elif option in _DATA_OPTIONS:
            raw = value if value is not None else take(option)
            data.append(_data_value(option, raw, stdin))
            json_mode = json_mode or option == "--json"
        elif option == "--url":
            urls.append(_text(value if value is not None else take(option)))
        elif option in ("-u", "--user"):
            credentials = value if value is not None else take(option)
            headers.append(("Authorization", "Basic " + base64.b64encode(credentials).decode("ascii")))
        elif option in ("-A", "--user-agent"):
            headers.append(("User-Agent", _text(value if value is not None else take(option))))
        elif option in ("-e", "--referer"):
            headers.append(("Referer", _text(value if value is not None else take(option))))
        elif option in ("-b", "--cookie"):
            cookie = _text(value if value is not None else take(option))
            if "=" in cookie:
                headers.append(("Cookie", cookie))
        elif option in ("-I", "--head"):
            head = True
        elif option in ("-G", "--get"):
            get_mode = True
        elif option in _NO_ARG_FLAGS or option == "-s":
            pass
        elif option in _IGNORED_WITH_ARG:
            if value is None:
                take(option)
        elif option in ("-T", "--upload-file", "-F", "--form", "-K", "--config"):
            raise InterchangeError(f"The curl option {option} is not supported here; use --data-binary.")
        else:
            raise InterchangeError(f"The curl option {option} is not understood.")
        i += 1

    if not urls:
        raise InterchangeError("The curl command has no URL.")
    if len(urls) > 1:
        raise InterchangeError(f"The curl command has {len(urls)} URLs; paste one request at a time.")
    url = urls[0]
    body = b"&".join(data)
    if json_mode:
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", "application/json"))
        if not any(name.lower() == "accept" for name, _ in headers):
            headers.append(("Accept", "application/json"))
    if get_mode and data:
        url += ("&" if "?" in url else "?") + body.decode("utf-8", "replace")
        body = b""
    if method is None:
        method = "HEAD" if head else ("POST" if data and not get_mode else "GET")
    return HttpRequest.from_url(method, url, headers, body)
