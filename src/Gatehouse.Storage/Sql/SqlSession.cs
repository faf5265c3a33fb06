using System.Data.Common;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gatehouse.Storage.Sql;

/// <summary>
/// The unit of work of one scope (one request): one connection, opened at first use, and the
/// rows read through it for change. Entities read "tracked" are remembered with the values they
/// were read with; <see cref="SaveChangesAsync"/> writes what was added, what changed (only the
/// changed columns, so a concurrent write to another column is not undone) and what was removed,
/// in one transaction. Reading a row that is already tracked returns the tracked entity.
/// </summary>
internal sealed class SqlSession(DatabaseConnections connections, UserChangeNotifier users) : IUnitOfWork, IAsyncDisposable, IDisposable
{
    private readonly Dictionary<(IEntityMap Map, string Key), Entry> _byKey = [];
    private readonly Dictionary<object, Entry> _byEntity = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _uncommittedUsers = [];
    private DbConnection? _connection;
    private DbTransaction? _transaction;
    private bool _holdsWriteLock;
    private long _sequence;

    public DatabaseProvider Provider => connections.Provider;

    // ---- reading and writing through the session's connection ----

    private async ValueTask<DbConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        return _connection ??= await connections.OpenAsync(cancellationToken);
    }

    private async Task<DbCommand> CommandAsync(string sql, object?[] args, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(cancellationToken);
        return connection.Command(_transaction, sql, args);
    }

    /// <summary>Rows of <paramref name="map"/> (the SQL selects <see cref="EntityMap{T}.Select"/>).</summary>
    public Task<List<T>> QueryAsync<T>(EntityMap<T> map, Tracking tracking, string sql, object?[] args, CancellationToken cancellationToken) where T : class =>
        ReadAsync(map, tracking, sql, args, int.MaxValue, cancellationToken);

    /// <summary>The first row of <paramref name="map"/>, or null.</summary>
    public async Task<T?> FirstAsync<T>(EntityMap<T> map, Tracking tracking, string sql, object?[] args, CancellationToken cancellationToken) where T : class =>
        (await ReadAsync(map, tracking, sql, args, 1, cancellationToken)) is [var first] ? first : null;

    /// <summary>One page of rows and how many rows match in all.</summary>
    public async Task<Page<T>> PageAsync<T>(EntityMap<T> map, string where, string orderBy, object?[] args, int offset, int limit, CancellationToken cancellationToken) where T : class
    {
        var total = (int)await ScalarAsync($"SELECT COUNT(*) FROM {map.Table}{where}", args, cancellationToken);
        var items = await QueryAsync(map, Tracking.None,
            $"SELECT {map.Select} FROM {map.Table}{where} ORDER BY {orderBy} LIMIT {limit} OFFSET {offset}", args, cancellationToken);
        return new Page<T>(items, total, offset, limit);
    }

    public async Task<long> ScalarAsync(string sql, object?[] args, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(sql, args, cancellationToken);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A write outside change tracking (a conditional update, a bulk delete): one statement,
    /// atomic by itself. Returns how many rows it changed.
    /// </summary>
    public Task<int> ExecuteAsync(string sql, object?[] args, CancellationToken cancellationToken) =>
        WriteAsync(sql, args, command => command.ExecuteNonQueryAsync(cancellationToken), cancellationToken);

    /// <summary>A write outside change tracking whose statement returns (RETURNING) one text column of the rows it changed.</summary>
    public Task<List<string>> ExecuteReturningAsync(string sql, object?[] args, CancellationToken cancellationToken) =>
        ExecuteReturningAsync(sql, args, reader => reader.GetString(0), cancellationToken);

    /// <summary>A write outside change tracking whose statement returns (RETURNING) the rows it changed, each read by <paramref name="read"/>.</summary>
    public Task<List<T>> ExecuteReturningAsync<T>(string sql, object?[] args, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        WriteAsync(sql, args, async command =>
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var values = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                values.Add(read(reader));
            }
            return values;
        }, cancellationToken);

    /// <summary>
    /// After a write outside change tracking stored some columns of a tracked entity (and the
    /// entity was given the stored values): takes them as its saved values, so a save writes
    /// them only if they change again. The entity's other pending changes stay pending.
    /// </summary>
    public void MarkStored<T>(EntityMap<T> map, T entity, params string[] columns) where T : class
    {
        if (!_byEntity.TryGetValue(entity, out var entry) || entry.Original is null)
        {
            return;
        }
        var values = map.Snapshot(entity);
        foreach (var column in columns)
        {
            var i = IndexOf(map.ColumnNames, column);
            entry.Original[i] = values[i];
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }
        throw new ArgumentException($"{name} is not a column.", nameof(name));
    }

    /// <summary>
    /// A user row was written outside change tracking: the listener hears of it once it is
    /// committed (at once outside a transaction, where the statement commits by itself).
    /// </summary>
    public void UserWritten(string userId)
    {
        if (_transaction is not null)
        {
            _uncommittedUsers.Add(userId);
        }
        else
        {
            users.Changed([userId]);
        }
    }

    private async Task<List<T>> ReadAsync<T>(EntityMap<T> map, Tracking tracking, string sql, object?[] args, int max, CancellationToken cancellationToken) where T : class
    {
        await using var command = await CommandAsync(sql, args, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<T>();
        while (items.Count < max && await reader.ReadAsync(cancellationToken))
        {
            items.Add(tracking switch
            {
                Tracking.None => map.Read(reader),
                Tracking.Track => Attach(map, map.Read(reader)),
                _ => Reload(map, reader),
            });
        }
        return items;
    }

    /// <summary>Outside a transaction, on SQLite, a write waits for the writer's turn.</summary>
    private async Task<TResult> WriteAsync<TResult>(string sql, object?[] args, Func<DbCommand, Task<TResult>> run, CancellationToken cancellationToken)
    {
        var takesTurn = _transaction is null && connections.IsSqlite;
        if (takesTurn)
        {
            await SqliteWriteLock.Instance.EnterAsync(cancellationToken);
        }
        try
        {
            await using var command = await CommandAsync(sql, args, cancellationToken);
            return await run(command);
        }
        finally
        {
            if (takesTurn)
            {
                SqliteWriteLock.Instance.Exit();
            }
        }
    }

    // ---- change tracking ----

    /// <summary>Starts tracking a row just read, or returns the entity already tracked for it.</summary>
    private T Attach<T>(EntityMap<T> map, T entity) where T : class
    {
        var snapshot = map.Snapshot(entity);
        var key = (map, map.KeyOf(snapshot));
        if (_byKey.TryGetValue(key, out var existing))
        {
            return (T)existing.Entity;
        }
        Track(new Entry(entity, map, State.Unchanged, snapshot, _sequence++), key.Item2);
        return entity;
    }

    public void Add<T>(EntityMap<T> map, T entity) where T : class
    {
        if (_byEntity.ContainsKey(entity))
        {
            return;
        }
        var entry = new Entry(entity, map, State.Added, null, _sequence++);
        _byEntity[entity] = entry;
    }

    public void Remove<T>(EntityMap<T> map, T entity) where T : class
    {
        if (_byEntity.TryGetValue(entity, out var entry))
        {
            if (entry.State == State.Added)
            {
                Forget(entry);
            }
            else
            {
                entry.State = State.Deleted;
            }
            return;
        }
        var snapshot = map.Snapshot(entity);
        Track(new Entry(entity, map, State.Deleted, snapshot, _sequence++), map.KeyOf(snapshot));
    }

    /// <summary>Stops tracking the entity of a key (its row was changed behind the tracker).</summary>
    public void Detach(IEntityMap map, string key)
    {
        if (_byKey.TryGetValue((map, key), out var entry))
        {
            Forget(entry);
        }
    }

    /// <summary>
    /// The row just read, tracked: an entity already tracked for it is overwritten with the row
    /// and taken as unchanged (its unsaved changes are dropped).
    /// </summary>
    private T Reload<T>(EntityMap<T> map, DbDataReader reader) where T : class
    {
        var row = map.Read(reader);
        var snapshot = map.Snapshot(row);
        if (_byKey.TryGetValue((map, map.KeyOf(snapshot)), out var entry))
        {
            var tracked = (T)entry.Entity;
            map.Fill(tracked, reader);
            entry.Original = snapshot;
            entry.State = State.Unchanged;
            return tracked;
        }
        return Attach(map, row);
    }

    public void Reset()
    {
        _byKey.Clear();
        _byEntity.Clear();
    }

    public async Task<SaveResult> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        var work = new List<(Entry Entry, object?[] Values, int[]? Changed)>();
        foreach (var entry in _byEntity.Values)
        {
            var values = entry.Map.Snapshot(entry.Entity);
            switch (entry.State)
            {
                case State.Added:
                case State.Deleted:
                    work.Add((entry, values, null));
                    break;
                case State.Unchanged when Changes(entry.Original!, values) is { Length: > 0 } changed:
                    work.Add((entry, values, changed));
                    break;
            }
        }
        if (work.Count == 0)
        {
            return SaveResult.Saved;
        }
        var changedUsers = work.Where(w => w.Entry.Map == Maps.Users).Select(w => ((User)w.Entry.Entity).Id).ToList();
        var explicitTransaction = _transaction is not null;
        if (!explicitTransaction)
        {
            await BeginAsync(cancellationToken);
        }
        else
        {
            await RunAsync("SAVEPOINT save_changes", [], cancellationToken);
        }
        try
        {
            var assigned = new List<(Entry Entry, long Identity)>();
            // Deletes (children first), then updates, then inserts (parents first): a unique value
            // freed by a delete or an update can be taken by an insert of the same save.
            foreach (var (entry, _, _) in work.Where(w => w.Entry.State == State.Deleted).OrderByDescending(w => w.Entry.Map.InsertOrder).ThenBy(w => w.Entry.Sequence))
            {
                await RunAsync(DeleteSql(entry.Map), KeyValues(entry.Map, entry.Original!), cancellationToken);
            }
            foreach (var (entry, values, changed) in work.Where(w => w.Changed is not null).OrderBy(w => w.Entry.Map.InsertOrder).ThenBy(w => w.Entry.Sequence))
            {
                var (sql, args) = UpdateCommand(entry.Map, entry.Original!, values, changed!);
                await RunAsync(sql, args, cancellationToken);
            }
            foreach (var (entry, values, _) in work.Where(w => w.Entry.State == State.Added).OrderBy(w => w.Entry.Map.InsertOrder).ThenBy(w => w.Entry.Sequence))
            {
                if (entry.Map.IdentityColumn is { } identity)
                {
                    // The database numbers the row: the column is left out and read back.
                    assigned.Add((entry, await ScalarAsync(entry.Map.InsertSql, values.Where((_, i) => i != identity).ToArray(), cancellationToken)));
                }
                else
                {
                    await RunAsync(entry.Map.InsertSql, values, cancellationToken);
                }
            }
            if (explicitTransaction)
            {
                await RunAsync("RELEASE SAVEPOINT save_changes", [], cancellationToken);
                _uncommittedUsers.AddRange(changedUsers);
            }
            else
            {
                await _transaction!.CommitAsync(cancellationToken);
            }
            foreach (var (entry, identity) in assigned)
            {
                entry.Map.SetIdentity(entry.Entity, identity);
            }
            foreach (var (entry, _, _) in work)
            {
                if (entry.State == State.Deleted)
                {
                    Forget(entry);
                    continue;
                }
                var wasAdded = entry.State == State.Added;
                entry.State = State.Unchanged;
                entry.Original = entry.Map.Snapshot(entry.Entity);
                if (wasAdded)
                {
                    _byKey[(entry.Map, entry.Map.KeyOf(entry.Original))] = entry;
                }
            }
            return SaveResult.Saved;
        }
        catch (DbException ex) when (UniqueConstraint(ex) is { } constraint)
        {
            await UndoAsync(explicitTransaction);
            return new SaveResult(SaveOutcome.UniqueViolation, constraint);
        }
        catch
        {
            await UndoAsync(explicitTransaction);
            throw;
        }
        finally
        {
            if (!explicitTransaction)
            {
                await EndAsync();
            }
            users.Changed(changedUsers);
        }
    }

    private async Task UndoAsync(bool explicitTransaction)
    {
        try
        {
            if (explicitTransaction)
            {
                await RunAsync("ROLLBACK TO SAVEPOINT save_changes", [], CancellationToken.None);
                await RunAsync("RELEASE SAVEPOINT save_changes", [], CancellationToken.None);
            }
            else
            {
                await _transaction!.RollbackAsync(CancellationToken.None);
            }
        }
        catch (DbException)
        {
            // The connection is broken; disposing the transaction and connection ends it.
        }
    }

    /// <summary>The violated unique index's name (or SQLite's message naming its columns).</summary>
    internal static string? UniqueConstraint(DbException ex) => ex switch
    {
        SqliteException { SqliteErrorCode: 19 } sqlite when sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal) => sqlite.Message,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg => pg.ConstraintName ?? pg.MessageText,
        _ => null,
    };

    public async Task<IUnitOfWorkTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default)
    {
        if (_transaction is not null)
        {
            return NestedTransaction.Instance;
        }
        await BeginAsync(cancellationToken);
        return new Transaction(this);
    }

    /// <summary>Opens the session's transaction; on SQLite, after taking the writer's turn.</summary>
    private async Task BeginAsync(CancellationToken cancellationToken)
    {
        if (connections.IsSqlite)
        {
            await SqliteWriteLock.Instance.EnterAsync(cancellationToken);
            _holdsWriteLock = true;
        }
        try
        {
            var connection = await ConnectionAsync(cancellationToken);
            _transaction = await connection.BeginTransactionAsync(cancellationToken);
        }
        catch
        {
            await EndAsync();
            throw;
        }
    }

    /// <summary>Ends the session's transaction (rolled back unless committed) and gives back the writer's turn.</summary>
    private async Task EndAsync()
    {
        try
        {
            if (_transaction is not null)
            {
                await _transaction.DisposeAsync();
            }
        }
        finally
        {
            _transaction = null;
            GiveBackWriterTurn();
        }
    }

    private void GiveBackWriterTurn()
    {
        if (_holdsWriteLock)
        {
            _holdsWriteLock = false;
            SqliteWriteLock.Instance.Exit();
        }
    }

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _transaction!.CommitAsync(cancellationToken);
        }
        finally
        {
            await EndAsync();
        }
        var committed = _uncommittedUsers.ToList();
        _uncommittedUsers.Clear();
        users.Changed(committed);
    }

    private async Task RollbackAsync()
    {
        _uncommittedUsers.Clear();
        await EndAsync();
    }

    private async Task RunAsync(string sql, object?[] args, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(sql, args, cancellationToken);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static int[] Changes(object?[] original, object?[] current)
    {
        List<int>? changed = null;
        for (var i = 0; i < current.Length; i++)
        {
            if (!Equals(original[i], current[i]))
            {
                (changed ??= []).Add(i);
            }
        }
        return changed?.ToArray() ?? [];
    }

    private static string DeleteSql(IEntityMap map) =>
        $"DELETE FROM {map.Table} WHERE {KeyCondition(map, 0)}";

    private static string KeyCondition(IEntityMap map, int firstParameter) =>
        string.Join(" AND ", map.KeyColumns.Select((k, i) => $"{map.ColumnNames[k]} = {SqlCommands.ParameterName(firstParameter + i)}"));

    private static object?[] KeyValues(IEntityMap map, object?[] values) => map.KeyColumns.Select(k => values[k]).ToArray();

    private static (string Sql, object?[] Args) UpdateCommand(IEntityMap map, object?[] original, object?[] values, int[] changed)
    {
        var set = string.Join(", ", changed.Select((c, i) => $"{map.ColumnNames[c]} = {SqlCommands.ParameterName(i)}"));
        var args = changed.Select(c => values[c]).Concat(KeyValues(map, original)).ToArray();
        return ($"UPDATE {map.Table} SET {set} WHERE {KeyCondition(map, changed.Length)}", args);
    }

    private void Track(Entry entry, string key)
    {
        _byEntity[entry.Entity] = entry;
        _byKey[(entry.Map, key)] = entry;
    }

    private void Forget(Entry entry)
    {
        _byEntity.Remove(entry.Entity);
        if (entry.Original is not null)
        {
            _byKey.Remove((entry.Map, entry.Map.KeyOf(entry.Original)));
        }
    }

    /// <summary>For a scope disposed synchronously: rolls back what was not committed and closes.</summary>
    public void Dispose()
    {
        try
        {
            _transaction?.Dispose();
        }
        finally
        {
            _transaction = null;
            GiveBackWriterTurn();
            _connection?.Dispose();
            _connection = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await EndAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private enum State
    {
        Unchanged,
        Added,
        Deleted,
    }

    private sealed class Entry(object entity, IEntityMap map, State state, object?[]? original, long sequence)
    {
        public object Entity { get; } = entity;
        public IEntityMap Map { get; } = map;
        public State State { get; set; } = state;
        public object?[]? Original { get; set; } = original;
        public long Sequence { get; } = sequence;
    }

    private sealed class Transaction(SqlSession session) : IUnitOfWorkTransaction
    {
        private bool _done;

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            _done = true;
            await session.CommitAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_done)
            {
                _done = true;
                await session.RollbackAsync();
            }
        }
    }

    private sealed class NestedTransaction : IUnitOfWorkTransaction
    {
        public static NestedTransaction Instance { get; } = new();

        public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>How a read through the unit of work treats the rows it returns.</summary>
internal enum Tracking
{
    /// <summary>Not tracked: changes to them are never saved.</summary>
    None,

    /// <summary>Tracked for change; a row already tracked returns the tracked entity as it is.</summary>
    Track,

    /// <summary>Tracked for change; a row already tracked overwrites the tracked entity.</summary>
    Reload,
}
