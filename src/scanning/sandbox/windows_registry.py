"""
The Windows persona's registry: what the package's `import winreg` gets, and what `reg` (windows-commands.py)
reads and writes. Keys are folders and values are files under ~/.windows/registry/<HIVE>/, so a write to the
registry is a file write the trace records like any other: a value set under `…\\CurrentVersion\\Run` is a
program set to start at every logon (sandbox-persistence), a program's own settings under `Software\\<vendor>`
are its own business. Names are matched without case, as Windows matches them.
"""
import json
import os

HKEY_CLASSES_ROOT = 0x80000000
HKEY_CURRENT_USER = 0x80000001
HKEY_LOCAL_MACHINE = 0x80000002
HKEY_USERS = 0x80000003
HKEY_PERFORMANCE_DATA = 0x80000004
HKEY_CURRENT_CONFIG = 0x80000005
HKEY_DYN_DATA = 0x80000006
HIVES = {
    HKEY_CLASSES_ROOT: 'HKEY_CLASSES_ROOT',
    HKEY_CURRENT_USER: 'HKEY_CURRENT_USER',
    HKEY_LOCAL_MACHINE: 'HKEY_LOCAL_MACHINE',
    HKEY_USERS: 'HKEY_USERS',
    HKEY_PERFORMANCE_DATA: 'HKEY_PERFORMANCE_DATA',
    HKEY_CURRENT_CONFIG: 'HKEY_CURRENT_CONFIG',
    HKEY_DYN_DATA: 'HKEY_DYN_DATA',
}
# the short names `reg` takes
HIVE_ABBREVIATIONS = {'HKCR': 'HKEY_CLASSES_ROOT', 'HKCU': 'HKEY_CURRENT_USER', 'HKLM': 'HKEY_LOCAL_MACHINE', 'HKU': 'HKEY_USERS', 'HKCC': 'HKEY_CURRENT_CONFIG'}

KEY_QUERY_VALUE, KEY_SET_VALUE, KEY_CREATE_SUB_KEY, KEY_ENUMERATE_SUB_KEYS = 0x1, 0x2, 0x4, 0x8
KEY_NOTIFY, KEY_CREATE_LINK, KEY_WOW64_64KEY, KEY_WOW64_32KEY = 0x10, 0x20, 0x100, 0x200
KEY_READ, KEY_EXECUTE, KEY_WRITE, KEY_ALL_ACCESS = 0x20019, 0x20019, 0x20006, 0xF003F
REG_NONE, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD = 0, 1, 2, 3, 4
REG_DWORD_LITTLE_ENDIAN, REG_DWORD_BIG_ENDIAN, REG_LINK, REG_MULTI_SZ, REG_QWORD = 4, 5, 6, 7, 11
REG_QWORD_LITTLE_ENDIAN = 11
REG_OPTION_NON_VOLATILE = 0
TYPE_NAMES = {'REG_NONE': REG_NONE, 'REG_SZ': REG_SZ, 'REG_EXPAND_SZ': REG_EXPAND_SZ, 'REG_BINARY': REG_BINARY, 'REG_DWORD': REG_DWORD, 'REG_MULTI_SZ': REG_MULTI_SZ, 'REG_QWORD': REG_QWORD}
DEFAULT_VALUE = '(Default)'
error = OSError


def windows_folder(*parts):
    """A place of the persona's Windows in its home (~/.windows): the registry, System32's task files."""
    return os.path.join(os.path.expanduser('~'), '.windows', *parts)


def not_found(what):
    return FileNotFoundError(2, 'The system cannot find the file specified', what)


class HKEYType:
    def __init__(self, path):
        self.path = path
        self.handle = 1

    def Close(self):
        self.handle = 0

    def Detach(self):
        handle, self.handle = self.handle, 0
        return handle

    def __int__(self):
        return self.handle

    def __bool__(self):
        return self.handle != 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.Close()


def _base(key):
    if isinstance(key, HKEYType):
        return key.path
    if key in HIVES:
        return os.path.join(windows_folder('registry'), HIVES[key])
    raise OSError(6, 'The handle is invalid')


def _walk(key, sub_key, create):
    """The folder of a subkey, each name matched without case; made where `create` and missing."""
    path = _base(key)
    for name in (sub_key or '').replace('/', '\\').split('\\'):
        if not name:
            continue
        found = next((entry for entry in (os.listdir(path) if os.path.isdir(path) else []) if entry.lower() == name.lower()), None)
        if found is None and not create:
            raise not_found(sub_key)
        path = os.path.join(path, found or name)
    if create:
        os.makedirs(path, exist_ok=True)
    return path


def _children(key):
    """A key's subkeys and values, each sorted by name."""
    path = _base(key)
    entries = sorted(os.listdir(path)) if os.path.isdir(path) else []
    return [e for e in entries if os.path.isdir(os.path.join(path, e))], [e for e in entries if os.path.isfile(os.path.join(path, e))]


def _value_file(key, name):
    path = _base(key)
    wanted = (name or DEFAULT_VALUE).lower()
    entries = os.listdir(path) if os.path.isdir(path) else []
    found = next((entry for entry in entries if entry.lower() == wanted and os.path.isfile(os.path.join(path, entry))), None)
    return os.path.join(path, found or (name or DEFAULT_VALUE).replace('/', '_'))


def ConnectRegistry(computer_name, key):
    return key


def OpenKey(key, sub_key, reserved=0, access=KEY_READ):
    return HKEYType(_walk(key, sub_key, False))


OpenKeyEx = OpenKey


def CreateKey(key, sub_key):
    return HKEYType(_walk(key, sub_key, True))


def CreateKeyEx(key, sub_key, reserved=0, access=KEY_WRITE):
    return CreateKey(key, sub_key)


def CloseKey(key):
    if isinstance(key, HKEYType):
        key.Close()


def FlushKey(key):
    pass


def SetValueEx(key, value_name, reserved, type, value):
    stored = value.hex() if isinstance(value, (bytes, bytearray)) else value
    with open(_value_file(key, value_name), 'w') as f:
        json.dump({'type': type, 'value': stored, 'bytes': isinstance(value, (bytes, bytearray))}, f)


def SetValue(key, sub_key, type, value):
    SetValueEx(HKEYType(_walk(key, sub_key, True)) if sub_key else key, None, 0, type, value)


def QueryValueEx(key, value_name):
    path = _value_file(key, value_name)
    if not os.path.isfile(path):
        raise not_found(value_name)
    with open(path) as f:
        stored = json.load(f)
    value = bytes.fromhex(stored['value']) if stored.get('bytes') else stored['value']
    return value, stored['type']


def QueryValue(key, sub_key):
    try:
        return QueryValueEx(HKEYType(_walk(key, sub_key, False)) if sub_key else key, None)[0]
    except FileNotFoundError:
        if sub_key:
            _walk(key, sub_key, False)
        return ''


def DeleteValue(key, value):
    path = _value_file(key, value)
    if not os.path.isfile(path):
        raise not_found(value)
    os.remove(path)


def DeleteKey(key, sub_key):
    path = _walk(key, sub_key, False)
    if any(os.path.isdir(os.path.join(path, e)) for e in os.listdir(path)):
        raise PermissionError(5, 'Access is denied', sub_key)
    for entry in os.listdir(path):
        os.remove(os.path.join(path, entry))
    os.rmdir(path)


DeleteKeyEx = DeleteKey


def EnumKey(key, index):
    keys = _children(key)[0]
    if index >= len(keys):
        raise OSError(259, 'No more data is available')
    return keys[index]


def EnumValue(key, index):
    names = _children(key)[1]
    if index >= len(names):
        raise OSError(259, 'No more data is available')
    value, type = QueryValueEx(key, names[index])
    return ('' if names[index] == DEFAULT_VALUE else names[index]), value, type


def QueryInfoKey(key):
    keys, values = _children(key)
    return len(keys), len(values), 0


def ExpandEnvironmentStrings(text):
    out, rest = '', text
    while '%' in rest:
        before, _, after = rest.partition('%')
        name, closed, tail = after.partition('%')
        if not closed:
            return out + rest
        out += before + os.environ.get(name, os.environ.get(name.upper(), f'%{name}%'))
        rest = tail
    return out + rest


def DisableReflectionKey(key):
    pass


def EnableReflectionKey(key):
    pass


def QueryReflectionKey(key):
    return False


def path_key(path):
    """A key named as `reg` names it (`HKCU\\Software\\…`, `HKEY_LOCAL_MACHINE\\…`): its hive's handle and subkey."""
    hive, _, sub_key = path.replace('/', '\\').strip('\\').partition('\\')
    name = HIVE_ABBREVIATIONS.get(hive.upper(), hive.upper())
    handle = next((h for h, n in HIVES.items() if n == name), None)
    if handle is None:
        raise OSError(87, 'Invalid key name', path)
    return handle, sub_key
