"""A corpus of hostile input for the story engine's fuzz tests: expressions built to hang,
exhaust memory, overflow, escape the language or fail on every run, and YAML built to
explode. Each class of attack the engine must survive has members here; the fuzzers mix
them into real levels."""

# Expressions that must be refused at load (a clear TTnnnn at their place) or evaluate
# within bounds; none may raise out, hang or allocate past the budget.
EXPRESSIONS = [
    # sizes: repetition, concatenation, nesting of lists
    "[[1]*99999]*99999",
    "'x' * 10**8",
    "'x' * 99999999",
    "[1] * 999999",
    "[[1] * 5000] * 5000",
    "'ab' * 60000 + 'cd' * 60000",
    "len('x' * 100000)",
    "str([[1] * 100] * 100)",
    # numbers: huge integers, overflow, precision
    "9" * 5000,
    "10 ** 100",
    "int('9' * 5000)",
    "int(1e999)",
    "float('1e999') * 0",
    "1e308 * 10",
    "round(5, -999999999)",
    "round(5.5, 999999999)",
    "round(1e308, -308)",
    "abs(-(2 ** 62))",
    "99999999999 * 99999999999 * 99999999999 * 99999999999 * 99999999999 * 99999999999",
    "int('1' * 400) * int('1' * 400) * int('1' * 400) * int('1' * 400)",
    # formatting
    "'%999999999d' % 1",
    "'%.999999999f' % 1",
    "'%*d' % (999999, 1)",
    "'%s' * 100000 % ()",
    "'%(x)s' % 5",
    "'%z' % 1",
    # nesting and length
    "-" * 3000 + "1",
    "(" * 400 + "1" + ")" * 400,
    "not " * 500 + "true",
    "1 + " * 1500 + "1",
    "[" * 100 + "]" * 100,
    "x" * 3000,
    # always failing
    "1 / 0",
    "1 // 0",
    "1 % 0",
    "len(5)",
    "chance('x')",
    "clamp('a', 1, 2)",
    "roll(0)",
    "roll(-5)",
    "min()",
    "max([])",
    "'a' < 1",
    "upper()",
    "int('nope')",
    # escapes
    "__import__('os').system('true')",
    "().__class__.__bases__[0].__subclasses__()",
    "trust.__class__",
    "open('/etc/passwd')",
    "eval('1')",
    "[x for x in range(9**9)]",
    "lambda: 1",
    "a[0]",
    "f'{1}'",
    "(yield)",
    "x := 1",
    "'\\x00'",
    "b'bytes'",
    "1j",
    "...",
    # plausible but wrong at run time (names that hold text or numbers)
    "trust + 'a'",
    "trust * trust * trust * trust * trust * trust * trust * trust",
    "mood * 99999",
    "mood * 50000 + mood * 50000 + mood",
]

# YAML values to put where a level has a value (params, vars, defaults): aliases that expand
# to billions of nodes, deep nesting, huge numbers.
BOMB = (
    "&a [x, x, x, x, x, x, x, x, x]",
    "&b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "&c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "&d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
    "&e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    "&f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
    "&g [*f, *f, *f, *f, *f, *f, *f, *f, *f]",
    "&h [*g, *g, *g, *g, *g, *g, *g, *g, *g]",
    "&i [*h, *h, *h, *h, *h, *h, *h, *h, *h]",
)
VALUES = [
    "{" + ", ".join(f"k{i}: {b}" for i, b in enumerate(BOMB)) + "}",
    "[" * 200 + "]" * 200,
    "9" * 5000,
    "{a: &x [1, 2], b: *x, c: *x}",
    '"\\x00\\x1b[31m\\x07"',
]
