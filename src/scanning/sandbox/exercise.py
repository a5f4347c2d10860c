# Runs inside the sandbox as the package's user: imports the modules named on its command line and calls what
# they offer a user's program — every public function and class the package defines there, and the public
# methods of each class's instance — with placeholder arguments. A payload that waits in an exported function
# (`perm(private_key)` posting to a tunnel, a constructor starting a hidden shell) runs here, under the same
# trace as install and import. Each call runs in a child process of its own under a time limit, so a call that
# hangs, exits or crashes costs only itself.
# A dependency the sandbox does not have (the package runs alone, nothing it requires is installed) would stop the
# import before the package's own code ran: when an import fails for want of another module, it is tried again
# with stand-ins for what is missing, objects that accept any use and do nothing.
# The same goes for a setup.py, which the install steps run through here: `import git` in an install hook is no
# reason to stop before the hook's payload.
#   python3 exercise.py MODULE...         import each module, then call what it offers
#   python3 exercise.py --load MODULE     import it only (the load step)
#   python3 exercise.py --main MODULE     run it as `python -m MODULE` would
#   python3 exercise.py --setup ARG...    run ./setup.py as `python setup.py ARG...` would (the install steps)
# Only what every step needs: a load step is one short process of many, and under strace each module the exerciser
# imports costs a share of it. The call step imports its own tools (inspect, asyncio, threading) when it starts.
import importlib
import importlib.machinery
import os
import runpy
import signal
import sys
import time
import types

CALL_SECONDS = 2
# the file handed where a function wants a path (the same name as exercise.cjs and steps.ts's PLACEHOLDER_INPUT)
INPUT = '/tmp/gatehouse-input.txt'
# where the package's files are (runner.ts binds them there)
PACKAGE_ROOT = '/gh/pkg'
MAX_CALLS = 48
BUDGET_SECONDS = 14
# Values a caller would pass, by parameter name; anything else gets a short string.
PLACEHOLDERS = (
    (('url', 'uri', 'endpoint', 'link', 'webhook'), 'https://example.com/'),
    (('path', 'file', 'dir', 'folder', 'filename'), INPUT),
    (('host', 'server', 'domain', 'address'), 'example.com'),
    (('port',), 8080),
    (('count', 'num', 'size', 'n', 'length', 'limit', 'timeout', 'retries', 'index', 'amount'), 1),
    (('data', 'content', 'text', 'message', 'msg', 'body', 'payload'), 'hello'),
)
BY_TYPE = {int: 1, float: 1.0, bool: False, list: [], dict: {}, bytes: b'hello', str: 'hello'}

started = time.monotonic()
calls = 0


def placeholder(param):
    if param.annotation in BY_TYPE:
        return BY_TYPE[param.annotation]
    name = param.name.lower()
    for words, value in PLACEHOLDERS:
        if any(name == w or name.endswith('_' + w) or name.startswith(w + '_') for w in words):
            return value
    return 'hello'


def arguments(target):
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return [], {}
    args, kwargs = [], {}
    for p in sig.parameters.values():
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = placeholder(p)
        else:
            args.append(placeholder(p))
    return args, kwargs


class StandInType(type):
    """The class of what a missing module offers: any attribute is another stand-in, calling makes one."""

    def __getattr__(cls, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return stand_in(name)

    def __iter__(cls):
        return iter(())

    def __getitem__(cls, key):
        return stand_in('item')


def operators(result):
    """Arithmetic and bitwise operators, answered with a stand-in: what a module builds from what it imports (`'amount' / Int64ul`, `Flag.A | Flag.B`)."""
    names = ('add', 'sub', 'mul', 'matmul', 'truediv', 'floordiv', 'mod', 'pow', 'lshift', 'rshift', 'and', 'xor', 'or')
    table = {}
    for op in names:
        table[f'__{op}__'] = table[f'__r{op}__'] = result
    table['__neg__'] = table['__pos__'] = table['__invert__'] = result
    return table


for _name, _method in operators(lambda cls, *other: cls).items():
    setattr(StandInType, _name, _method)


class StandIn(metaclass=StandInType):
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return stand_in(name)()

    def __call__(self, *args, **kwargs):
        return stand_in('result')()

    def __iter__(self):
        return iter(())

    def __getitem__(self, key):
        return stand_in('item')()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __bool__(self):
        return False

    def __len__(self):
        return 0

    def __str__(self):
        return ''


for _name, _method in operators(lambda self, *other: self).items():
    setattr(StandIn, _name, _method)


def stand_in(name):
    # a class, so that a module may subclass it (`class Bot(telegram.Client)`) as well as call it
    return StandInType(str(name), (StandIn,), {})


class StandInModule(types.ModuleType):
    __all__ = []
    __path__ = []

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return stand_in(name)


def importer_is_package():
    """Whether the import being resolved was written in the package's own files (code they exec'd counts as theirs)."""
    frame = sys._getframe(2)
    while frame is not None:
        file = frame.f_code.co_filename
        # the import machinery, this file, and code compiled from a string are not where the import was written
        if file != __file__ and not file.startswith('<') and os.path.isabs(file):
            return file.startswith(PACKAGE_ROOT + '/')
        frame = frame.f_back
    return False


class StandInFinder:
    """Last on the import path: answers the package's own imports of modules nothing else found."""

    def find_spec(self, name, path, target=None):
        # never the standard library's: `try: import _winapi` / `import winreg` is how code tells which system it is on;
        # nor an installed library's (setuptools, the standard library) probing for an optional module it can do without
        if name.split('.')[0] in sys.stdlib_module_names or not importer_is_package():
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        return StandInModule(spec.name)

    def exec_module(self, module):
        pass


def with_stand_ins(load, name):
    """Runs load(); when it fails for want of another module, forgets what it half-imported and tries once more with stand-ins."""
    try:
        return load()
    except ModuleNotFoundError as err:
        top = name.split('.')[0]
        if not err.name or err.name.split('.')[0] == top or any(isinstance(f, StandInFinder) for f in sys.meta_path):
            raise
    for loaded in list(sys.modules):
        if loaded == top or loaded.startswith(top + '.'):
            del sys.modules[loaded]
    sys.meta_path.append(StandInFinder())
    return load()


def logged_in():
    """A user at a terminal has a login name; the sandbox has no terminal, where os.getlogin() raises. The persona's user answers."""
    real = os.getlogin

    def getlogin():
        try:
            return real()
        except OSError:
            return os.environ.get('LOGNAME') or os.environ.get('USER') or real()

    os.getlogin = getlogin


def on_alarm(signum, frame):
    raise TimeoutError('gatehouse: call time limit')


def settle(result):
    """Awaits a coroutine, advances a generator a little, and lets threads the call started run for a moment."""
    if inspect.iscoroutine(result):
        asyncio.run(asyncio.wait_for(result, CALL_SECONDS))
    elif inspect.isgenerator(result):
        for _, _ in zip(range(3), result):
            pass
    deadline = time.monotonic() + 1
    for t in threading.enumerate():
        if t is not threading.current_thread():
            t.join(max(0, deadline - time.monotonic()))


def call(target, *, methods=False):
    signal.alarm(CALL_SECONDS)
    try:
        args, kwargs = arguments(target)
        result = target(*args, **kwargs)
        settle(result)
        if methods:
            for name in sorted(vars(type(result))):
                member = getattr(result, name, None)
                if not name.startswith('_') and (inspect.ismethod(member) or inspect.isfunction(member)):
                    signal.alarm(CALL_SECONDS)
                    try:
                        margs, mkwargs = arguments(member)
                        settle(member(*margs, **mkwargs))
                    except BaseException:
                        pass
    except BaseException:
        pass
    finally:
        signal.alarm(0)


def run_in_child(target, methods):
    """Calls target in a forked child and waits for it, killing it past its limit."""
    global calls
    calls += 1
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGALRM, on_alarm)
        call(target, methods=methods)
        os._exit(0)
    limit = time.monotonic() + CALL_SECONDS * (8 if methods else 2)
    while time.monotonic() < limit:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.02)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def ours(obj, package):
    module = getattr(obj, '__module__', None) or ''
    return module == package or module.startswith(package + '.')


def main():
    # imported from the working directory, as `python -c 'import …'` there would (a script's own folder comes first otherwise)
    sys.path[0] = os.getcwd()
    logged_in()
    if len(sys.argv) >= 2 and sys.argv[1] == '--setup':
        sys.argv = ['setup.py', *sys.argv[2:]]
        # by its absolute path, as Python names a script given on its command line
        with_stand_ins(lambda: runpy.run_path(os.path.abspath('setup.py'), run_name='__main__'), 'setup')
        return
    if len(sys.argv) == 3 and sys.argv[1] in ('--load', '--main'):
        name = sys.argv[2]
        if sys.argv[1] == '--load':
            with_stand_ins(lambda: importlib.import_module(name), name)
        else:
            sys.argv = [name]
            with_stand_ins(lambda: runpy.run_module(name, run_name='__main__', alter_sys=True), name)
        return
    global asyncio, inspect, threading
    import asyncio
    import inspect
    import threading

    with open(INPUT, 'w') as f:
        f.write('hello\n')
    seen = set()
    for name in sys.argv[1:]:
        try:
            module = with_stand_ins(lambda: importlib.import_module(name), name)
        except BaseException:
            continue
        package = name.split('.')[0]
        for attr in sorted(vars(module)):
            if attr.startswith('_') or calls >= MAX_CALLS or time.monotonic() - started > BUDGET_SECONDS:
                continue
            obj = vars(module)[attr]
            if id(obj) in seen or not ours(obj, package):
                continue
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                seen.add(id(obj))
                run_in_child(obj, True)
            elif inspect.isfunction(obj) or inspect.iscoroutinefunction(obj):
                seen.add(id(obj))
                run_in_child(obj, False)
    os._exit(0)


main()
