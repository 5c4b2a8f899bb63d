#!/usr/bin/python3
"""A MongoDB-wire emulator for development and tests on machines where no mongod can be had.

MockupDB (MongoDB's own driver test tooling) parses the wire protocol; mongomock stores the data
in memory. This script joins them: one thread serves every connection from a selector loop and
answers the commands the official drivers send, one command at a time, so every command is
atomic, as on a real server. (MockupDB's own server runs a thread per connection and builds a
log line for every message; this loop answers about five times faster.)

Known limits (do not design product code around them): no aggregation-pipeline updates, no $$NOW,
no change streams, transactions are not rolled back, every command is serialized.

Usage: /usr/bin/python3 mongo_wire_emulator.py [--port N]
Prints one line `MONGODB_URI=mongodb://127.0.0.1:<port>` once it accepts connections.
"""

import argparse
import datetime
import heapq
import operator
import itertools
import os
import selectors
import signal
import socket
import struct
import time

import bson
import mockupdb
import mongomock
from mongomock import aggregate as mm_aggregate
from mongomock import filtering as mm_filtering
from bson import SON, Int64, ObjectId

# Cursor replies stop growing past this many bytes, well under the 16 MiB message limit.
MAX_BATCH_BYTES = 4 * 1024 * 1024
DEFAULT_FIRST_BATCH = 101
WIRE_VERSION = 17  # MongoDB 6.0
STARTED = time.time()

class _NoRevalidation(bson.BSON):
    """mongomock encodes every document it stores only to validate it, with pymongo 3's key check,
    which rejects the '.' that MongoDB 5+ accepts in field names. Documents here were just decoded
    from BSON the client sent, so they are valid BSON already: skip the second encoding."""

    @classmethod
    def encode(cls, document, check_keys=False, codec_options=bson.DEFAULT_CODEC_OPTIONS):
        return b''


mongomock.collection.BSON = _NoRevalidation
# mongomock walks every document to make datetimes naive and millisecond-precise; BSON decoding
# already gives exactly that, so the walk changes nothing and costs a third of a write.
mongomock.helpers.patch_datetime_awareness_in_document = lambda value: value

store = mongomock.MongoClient()
cursor_ids = itertools.count(1)
cursors = {}  # id -> (namespace, iterator)
connection_ids = itertools.count(1)


class CommandError(Exception):
    def __init__(self, code, message, code_name=None):
        super().__init__(message)
        self.code = code
        self.code_name = code_name


# mongomock exceptions carry a code; keep it so drivers see 11000 for duplicate keys.
def error_reply(exc):
    code = getattr(exc, 'code', None) or 8
    reply = {'ok': 0, 'errmsg': str(exc), 'code': code}
    name = getattr(exc, 'code_name', None) or {11000: 'DuplicateKey'}.get(code)
    if name:
        reply['codeName'] = name
    return reply


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def collection(db_name, name):
    if not isinstance(name, str) or not name:
        raise CommandError(73, 'Invalid namespace specified: %r' % (name,), 'InvalidNamespace')
    return store[db_name][name]


def sort_spec(sort):
    if not sort:
        return None
    return [(key, int(direction)) for key, direction in sort.items()]


def batch_from(iterator, size):
    docs, total = [], 0
    for doc in iterator:
        docs.append(doc)
        total += len(bson.BSON.encode(doc))
        if (size and len(docs) >= size) or total >= MAX_BATCH_BYTES:
            break
    return docs


def cursor_reply(namespace, docs_iter, batch_size, single_batch=False):
    """First batch now, the rest kept for getMore (real cursors, so memory stays bounded client-side)."""
    iterator = iter(docs_iter)
    first = batch_from(iterator, batch_size if batch_size is not None else DEFAULT_FIRST_BATCH)
    cursor_id = 0
    if not single_batch:
        sentinel = next(iterator, None)
        if sentinel is not None:
            cursor_id = next(cursor_ids)
            cursors[cursor_id] = (namespace, itertools.chain([sentinel], iterator))
    return {'cursor': {'id': Int64(cursor_id), 'ns': namespace, 'firstBatch': first}, 'ok': 1}


def cmd_hello(db_name, cmd):
    return {
        'ismaster': True,
        'isWritablePrimary': True,
        'helloOk': True,
        'maxBsonObjectSize': 16 * 1024 * 1024,
        'maxMessageSizeBytes': 48000000,
        'maxWriteBatchSize': 100000,
        'localTime': utcnow(),
        'logicalSessionTimeoutMinutes': 30,
        'connectionId': next(connection_ids),
        'minWireVersion': 0,
        'maxWireVersion': WIRE_VERSION,
        'readOnly': False,
        'ok': 1,
    }


def cmd_build_info(db_name, cmd):
    return {'version': '6.0.0-emulator', 'versionArray': [6, 0, 0, 0], 'gitVersion': 'mongomock',
            'modules': [], 'bits': 64, 'maxBsonObjectSize': 16 * 1024 * 1024, 'ok': 1}


def cmd_ok(db_name, cmd):
    return {'ok': 1}


def cmd_server_status(db_name, cmd):
    return {'host': '127.0.0.1', 'version': '6.0.0-emulator', 'process': 'mongo_wire_emulator',
            'uptime': time.time() - STARTED, 'localTime': utcnow(), 'ok': 1}


def native_sort_value(value):
    """A value's place in BSON sort order as a plain tuple Python compares in C, or None for a type
    this does not know (then mongomock's own, slower comparison sorts)."""
    if value is mm_filtering.NOTHING or value is None:
        return (1,)
    if isinstance(value, bool):
        return (8, value)
    if isinstance(value, (int, float)):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, ObjectId):
        return (7, value.binary)
    if isinstance(value, datetime.datetime):
        return (9, value)
    if isinstance(value, (list, tuple)):  # arrays sort by their first element, as in mongomock
        return native_sort_value(value[0]) if value else (0,)
    return None


def sort_documents(docs, sort, keep):
    """Sorts by `sort` (keeping only the first `keep` when given), or returns None when a value's
    type needs mongomock's general comparison."""
    fields = [(key, '.' in key) for key, _ in sort]
    nothing = mm_filtering.NOTHING
    keyed = []
    for doc in docs:
        key = []
        for field, dotted in fields:
            value = mm_filtering.resolve_key(field, doc) if dotted else doc.get(field, nothing)
            kind = type(value)
            # The two types history is sorted by come first: this loop runs once per document.
            if kind is datetime.datetime:
                key.append((9, value))
            elif kind is ObjectId:
                key.append((7, value.binary))
            else:
                native = native_sort_value(value)
                if native is None:
                    return None
                key.append(native)
        keyed.append((tuple(key), doc))
    directions = {d for _, d in sort}
    by_key = operator.itemgetter(0)
    if keep and directions == {1}:
        keyed = heapq.nsmallest(keep, keyed, key=by_key)
    elif keep and directions == {-1}:
        keyed = heapq.nlargest(keep, keyed, key=by_key)
    else:
        for index in reversed(range(len(sort))):  # stable sorts, last key first
            keyed.sort(key=lambda item, i=index: item[0][i], reverse=sort[index][1] < 0)
    return [doc for _, doc in keyed]


def find_documents(coll, spec, sort, projection, skip, limit):
    """mongomock's find copies every matching document, and compares sort values in Python, before
    it applies skip and limit; this sorts references by plain tuples (keeping only skip + limit of
    them when there is a limit) and copies only the documents it returns."""
    docs = list(coll._iter_documents(spec))
    if sort:
        ordered = None if any(k.startswith('$') for k, _ in sort) else sort_documents(docs, sort, skip + limit if limit else 0)
        if ordered is None:
            return coll.find(spec, projection=projection, skip=skip, limit=limit, sort=sort)
        docs = ordered
    docs = itertools.islice(docs, skip, skip + limit if limit else None)
    return (coll._copy_only_fields(doc, projection, dict) for doc in docs)


def cmd_find(db_name, cmd):
    name = cmd['find']
    coll = collection(db_name, name)
    limit = abs(int(cmd.get('limit', 0) or 0))
    docs = find_documents(coll, cmd.get('filter') or {}, sort_spec(cmd.get('sort')), cmd.get('projection') or None,
                          int(cmd.get('skip', 0) or 0), limit)
    batch_size = cmd.get('batchSize')
    single = bool(cmd.get('singleBatch')) or int(cmd.get('limit', 0) or 0) < 0
    return cursor_reply('%s.%s' % (db_name, name), docs, batch_size, single)


def cmd_get_more(db_name, cmd):
    cursor_id = int(cmd['getMore'])
    entry = cursors.get(cursor_id)
    if entry is None:
        raise CommandError(43, 'cursor id %d not found' % cursor_id, 'CursorNotFound')
    namespace, iterator = entry
    docs = batch_from(iterator, cmd.get('batchSize') or 0)
    sentinel = next(iterator, None)
    if sentinel is None:
        cursors.pop(cursor_id, None)
        next_id = 0
    else:
        cursors[cursor_id] = (namespace, itertools.chain([sentinel], iterator))
        next_id = cursor_id
    return {'cursor': {'id': Int64(next_id), 'ns': namespace, 'nextBatch': docs}, 'ok': 1}


def cmd_kill_cursors(db_name, cmd):
    killed = []
    for cursor_id in cmd.get('cursors', []):
        if cursors.pop(int(cursor_id), None) is not None:
            killed.append(cursor_id)
    return {'cursorsKilled': killed, 'cursorsNotFound': [], 'cursorsAlive': [], 'cursorsUnknown': [],
            'ok': 1}


def write_error(index, exc):
    return {'index': index, 'code': getattr(exc, 'code', None) or 2, 'errmsg': str(exc)}


def run_writes(cmd, items_key, apply):
    """A write command's items one by one: `apply(index, item)` returns what it wrote; a failure
    becomes a write error with its code, and an ordered command stops at the first."""
    n, errors = 0, []
    for index, item in enumerate(cmd.get(items_key, [])):
        try:
            n += apply(index, item)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a write error
            errors.append(write_error(index, exc))
            if cmd.get('ordered', True):
                break
    reply = {'n': n, 'ok': 1}
    if errors:
        reply['writeErrors'] = errors
    return reply


def cmd_insert(db_name, cmd):
    coll = collection(db_name, cmd['insert'])

    def insert(_index, doc):
        coll.insert_one(doc)
        return 1

    return run_writes(cmd, 'documents', insert)


def is_replacement(update):
    return isinstance(update, dict) and not any(key.startswith('$') for key in update)


def replace_by_id(coll, query, replacement, upsert):
    """A replacement on one `_id` (`{_id: X, ...conditions}`), done on the store directly.

    Same answers as mongomock's general update path (which deep-copies the old document for a
    rollback it then rarely needs): match the conditions, keep `_id` first, check unique indexes,
    and on an upsert whose `_id` exists but does not match, fail with a duplicate key as MongoDB
    does. Returns None when the query is not of that form.
    """
    _id = query.get('_id')
    if _id is None or isinstance(_id, dict):
        return None
    store = coll._store
    existing = store[_id] if _id in store else None
    document = dict(replacement)
    document.pop('_id', None)
    document = dict(_id=_id, **document)
    if existing is not None and mm_filtering.filter_applies(query, existing):
        store[_id] = document
        try:
            coll._ensure_uniques(document)
        except mongomock.DuplicateKeyError:
            store[_id] = existing
            raise
        return {'n': 1, 'nModified': 0 if existing == document else 1}
    if not upsert:
        return {'n': 0, 'nModified': 0}
    if existing is not None:
        raise mongomock.DuplicateKeyError('E11000 duplicate key error: _id %r' % (_id,), 11000)
    store[_id] = document
    try:
        coll._ensure_uniques(document)
    except mongomock.DuplicateKeyError:
        del store[_id]
        raise
    return {'n': 1, 'nModified': 0, 'upserted': _id}


def cmd_update(db_name, cmd):
    coll = collection(db_name, cmd['update'])
    modified, upserted = [0], []

    def update(index, spec):
        change = spec.get('u')
        if isinstance(change, list):
            raise CommandError(2, 'the emulator does not support aggregation-pipeline updates')
        if spec.get('arrayFilters'):
            raise CommandError(2, 'the emulator does not support arrayFilters')
        query, upsert, multi = spec.get('q') or {}, bool(spec.get('upsert')), bool(spec.get('multi'))
        result = replace_by_id(coll, query, change, upsert) if is_replacement(change) and not multi else None
        if result is None:
            result = coll._update(query, change, upsert=upsert, multi=multi)
        if result.get('upserted') is not None:
            upserted.append({'index': index, '_id': result['upserted']})
            return 1
        modified[0] += result.get('nModified', 0)
        return result.get('n', 0)

    reply = run_writes(cmd, 'updates', update)
    reply['nModified'] = modified[0]
    if upserted:
        reply['upserted'] = upserted
    return reply


def cmd_delete(db_name, cmd):
    coll = collection(db_name, cmd['delete'])

    def delete(_index, spec):
        query = spec.get('q') or {}
        if int(spec.get('limit', 0)) == 1:
            return coll.delete_one(query).deleted_count
        return coll.delete_many(query).deleted_count

    return run_writes(cmd, 'deletes', delete)


def cmd_find_and_modify(db_name, cmd):
    coll = collection(db_name, cmd['findAndModify'])
    query = cmd.get('query') or {}
    sort = sort_spec(cmd.get('sort'))
    projection = cmd.get('fields') or None
    if cmd.get('remove'):
        old = coll.find_one_and_delete(query, projection=projection, sort=sort)
        return {'lastErrorObject': {'n': 1 if old else 0}, 'value': old, 'ok': 1}
    update = cmd.get('update')
    if isinstance(update, list):
        raise CommandError(2, 'the emulator does not support aggregation-pipeline updates')
    upsert = bool(cmd.get('upsert'))
    return_new = bool(cmd.get('new'))
    old = coll.find_one(query, sort=sort)
    target = {'_id': old['_id']} if old else query
    result = coll._update(target, update, upsert=upsert and old is None)
    if old is None and result.get('upserted') is None:
        return {'lastErrorObject': {'n': 0, 'updatedExisting': False}, 'value': None, 'ok': 1}
    if result.get('upserted') is not None:
        new_id = result['upserted']
        last_error = {'n': 1, 'updatedExisting': False, 'upserted': new_id}
    else:
        new_id = old['_id']
        last_error = {'n': 1, 'updatedExisting': True}
    if return_new:
        value = coll.find_one({'_id': new_id}, projection=projection)
    elif projection:
        value = project(old, projection)
    else:
        value = old
    return {'lastErrorObject': last_error, 'value': value, 'ok': 1}


def project(doc, projection):
    # Applies a projection to an already-read document by running it through mongomock.
    scratch = mongomock.MongoClient()['scratch']['doc']
    scratch.insert_one(dict(doc))
    return scratch.find_one({}, projection=projection)


def cmd_count(db_name, cmd):
    coll = collection(db_name, cmd['count'])
    query = cmd.get('query') or {}
    docs = coll.find(query, skip=int(cmd.get('skip', 0) or 0), limit=int(cmd.get('limit', 0) or 0))
    return {'n': sum(1 for _ in docs), 'ok': 1}


def cmd_distinct(db_name, cmd):
    coll = collection(db_name, cmd['distinct'])
    return {'values': coll.distinct(cmd['key'], cmd.get('query') or {}), 'ok': 1}


def cmd_aggregate(db_name, cmd):
    name = cmd['aggregate']
    if name == 1:
        raise CommandError(2, 'the emulator does not support database-level aggregation')
    coll = collection(db_name, name)
    pipeline = list(cmd.get('pipeline') or [])
    # mongomock copies the whole collection before the first stage; a leading $match is applied
    # first, so only the matching documents are copied.
    match = pipeline.pop(0)['$match'] if pipeline and '$match' in pipeline[0] else {}
    matching = [coll._copy_only_fields(doc, None, dict) for doc in coll._iter_documents(match)]
    docs = mm_aggregate.process_pipeline(matching, coll.database, pipeline, None)
    batch_size = (cmd.get('cursor') or {}).get('batchSize')
    return cursor_reply('%s.%s' % (db_name, name), docs, batch_size)


def cmd_list_collections(db_name, cmd):
    db = store[db_name]
    name_filter = (cmd.get('filter') or {}).get('name')
    names = sorted(db.list_collection_names())
    if isinstance(name_filter, str):
        names = [n for n in names if n == name_filter]
    infos = [{'name': n, 'type': 'collection', 'options': {}, 'info': {'readOnly': False},
              'idIndex': {'v': 2, 'key': {'_id': 1}, 'name': '_id_'}} for n in names]
    return cursor_reply('%s.$cmd.listCollections' % db_name, infos, None)


def cmd_list_databases(db_name, cmd):
    names = store.list_database_names()
    dbs = [{'name': n, 'sizeOnDisk': 0, 'empty': False} for n in names]
    if cmd.get('nameOnly'):
        dbs = [{'name': n} for n in names]
    return {'databases': dbs, 'totalSize': 0, 'ok': 1}


def cmd_create(db_name, cmd):
    db = store[db_name]
    if cmd['create'] in db.list_collection_names():
        raise CommandError(48, 'Collection %s.%s already exists.' % (db_name, cmd['create']),
                           'NamespaceExists')
    db.create_collection(cmd['create'])
    return {'ok': 1}


def cmd_drop(db_name, cmd):
    db = store[db_name]
    if cmd['drop'] not in db.list_collection_names():
        raise CommandError(26, 'ns not found', 'NamespaceNotFound')
    db.drop_collection(cmd['drop'])
    return {'ok': 1}


def cmd_drop_database(db_name, cmd):
    store.drop_database(db_name)
    return {'dropped': db_name, 'ok': 1}


def cmd_create_indexes(db_name, cmd):
    coll = collection(db_name, cmd['createIndexes'])
    before = len(coll.index_information())
    for spec in cmd.get('indexes', []):
        options = {k: v for k, v in spec.items() if k in ('name', 'unique', 'sparse',
                                                          'partialFilterExpression')}
        coll.create_index(list(spec['key'].items()), **options)
    after = len(coll.index_information())
    return {'numIndexesBefore': before, 'numIndexesAfter': after, 'createdCollectionAutomatically':
            before == 0, 'ok': 1}


def cmd_list_indexes(db_name, cmd):
    name = cmd['listIndexes']
    db = store[db_name]
    if name not in db.list_collection_names():
        raise CommandError(26, 'ns does not exist: %s.%s' % (db_name, name), 'NamespaceNotFound')
    specs = []
    for index_name, info in db[name].index_information().items():
        spec = {'v': 2, 'key': SON(info['key']), 'name': index_name}
        for option in ('unique', 'sparse', 'partialFilterExpression'):
            if option in info:
                spec[option] = info[option]
        specs.append(spec)
    return cursor_reply('%s.%s' % (db_name, name), specs, None)


def cmd_drop_indexes(db_name, cmd):
    coll = collection(db_name, cmd['dropIndexes'])
    index = cmd.get('index')
    if index == '*':
        coll.drop_indexes()
    else:
        coll.drop_index(index)
    return {'ok': 1}


def cmd_db_stats(db_name, cmd):
    db = store[db_name]
    names = db.list_collection_names()
    objects = sum(db[n].estimated_document_count() for n in names)
    return {'db': db_name, 'collections': len(names), 'objects': objects, 'ok': 1}


COMMANDS = {
    'hello': cmd_hello, 'ismaster': cmd_hello, 'isMaster': cmd_hello,
    'buildinfo': cmd_build_info, 'buildInfo': cmd_build_info,
    'ping': cmd_ok, 'endSessions': cmd_ok, 'getLastError': cmd_ok,
    'commitTransaction': cmd_ok, 'abortTransaction': cmd_ok, 'getParameter': cmd_ok,
    'serverStatus': cmd_server_status, 'dbStats': cmd_db_stats, 'dbstats': cmd_db_stats,
    'find': cmd_find, 'getMore': cmd_get_more, 'killCursors': cmd_kill_cursors,
    'insert': cmd_insert, 'update': cmd_update, 'delete': cmd_delete,
    'findAndModify': cmd_find_and_modify, 'findandmodify': cmd_find_and_modify,
    'count': cmd_count, 'distinct': cmd_distinct, 'aggregate': cmd_aggregate,
    'listCollections': cmd_list_collections, 'listDatabases': cmd_list_databases,
    'create': cmd_create, 'drop': cmd_drop, 'dropDatabase': cmd_drop_database,
    'createIndexes': cmd_create_indexes, 'listIndexes': cmd_list_indexes,
    'dropIndexes': cmd_drop_indexes, 'deleteIndexes': cmd_drop_indexes,
}


OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
MORE_TO_COME = mockupdb.OP_MSG_FLAGS['moreToCome']
reply_ids = itertools.count(1)


def run_command(cmd, db_name):
    name = next(iter(cmd))
    handler = COMMANDS.get(name)
    if handler is None:
        return {'ok': 0, 'errmsg': "no such command: '%s'" % name, 'code': 59,
                'codeName': 'CommandNotFound'}
    try:
        return handler(db_name, cmd)
    except Exception as exc:  # noqa: BLE001 - the driver gets the reason, the server lives on
        return error_reply(exc)


def answer(message):
    """One wire message in, its reply out (None when the client expects none)."""
    _length, request_id, _response_to, opcode = struct.unpack('<iiii', message[:16])
    if opcode == OP_MSG:
        request = mockupdb.OpMsg.unpack(message[16:], None, None, request_id)
        reply = run_command(request.doc, request.doc.get('$db', 'admin'))
        if (request.flags or 0) & MORE_TO_COME:
            return None  # an unacknowledged write (w: 0)
        body = struct.pack('<I', 0) + b'\x00' + bson.BSON.encode(reply)
        return struct.pack('<iiii', 16 + len(body), next(reply_ids), request_id, OP_MSG) + body
    if opcode == OP_QUERY:  # the legacy handshake some drivers still open with
        request = mockupdb.OpQuery.unpack(message[16:], None, None, request_id)
        if request.is_command:
            reply = run_command(request.doc, request.namespace)
        else:
            reply = {'$err': 'the emulator only answers commands', 'code': 2}
        body = struct.pack('<iqii', 0, 0, 0, 1) + bson.BSON.encode(reply)
        return struct.pack('<iiii', 16 + len(body), next(reply_ids), request_id, OP_REPLY) + body
    raise ValueError('unsupported opcode %d' % opcode)


def serve(listener, stop):
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    buffers = {}
    parent = os.getppid()

    def close(conn):
        selector.unregister(conn)
        buffers.pop(conn, None)
        conn.close()

    while not stop():
        for key, _ in selector.select(timeout=1):
            if key.fileobj is listener:
                conn, _ = listener.accept()
                conn.setblocking(False)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                buffers[conn] = bytearray()
                selector.register(conn, selectors.EVENT_READ)
                continue
            conn = key.fileobj
            try:
                chunk = conn.recv(1 << 20)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                close(conn)
                continue
            if not chunk:
                close(conn)
                continue
            buf = buffers[conn]
            buf += chunk
            while len(buf) >= 4:
                length = struct.unpack('<i', buf[:4])[0]
                if len(buf) < length:
                    break
                message = bytes(buf[:length])
                del buf[:length]
                try:
                    reply = answer(message)
                except Exception:  # noqa: BLE001 - a message we cannot read ends its connection
                    close(conn)
                    break
                if reply is not None:
                    conn.setblocking(True)  # large replies: let the kernel take them whole
                    try:
                        conn.sendall(reply)
                    except OSError:
                        close(conn)
                        break
                    conn.setblocking(False)
        if os.getppid() != parent:  # orphaned: whoever started us is gone
            break


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, default=0)
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', args.port))
    listener.listen(512)
    listener.setblocking(False)
    print('MONGODB_URI=mongodb://127.0.0.1:%d' % listener.getsockname()[1], flush=True)

    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.append(True))
    serve(listener, lambda: bool(stopping))
    listener.close()


if __name__ == '__main__':
    main()
