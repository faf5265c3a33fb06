using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Storage;

/// <summary>
/// Kept-open SQLite connections for the reads outside a unit of work (the refresh snapshot,
/// session state, users for caches; see DetachedReads), each keeping its statements prepared:
/// a pooled connection per query costs an open, a close and a fresh parse of the SQL every
/// time. At most two connections per core are lent at once (more would only queue on the
/// cores); a borrower waits for one to come back.
/// </summary>
internal sealed class SqliteReaders(DatabaseConnections connections) : IDisposable
{
    private readonly ConcurrentBag<Reader> _idle = [];
    private readonly SemaphoreSlim _slots = new(Environment.ProcessorCount * 2);
    private bool _disposed;

    public async ValueTask<Lease> RentAsync(CancellationToken cancellationToken = default)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new Lease(this, _idle.TryTake(out var reader) ? reader : new Reader((SqliteConnection)connections.Create()));
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private void Return(Reader reader, bool healthy)
    {
        if (healthy && !_disposed)
        {
            _idle.Add(reader);
        }
        else
        {
            reader.Dispose();
        }
        _slots.Release();
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    /// <summary>One borrowed connection; give it back by disposing.</summary>
    public readonly struct Lease(SqliteReaders owner, Reader reader) : IDisposable
    {
        public SqliteCommand Command(string sql, string[] parameters) => reader.Command(sql, parameters);

        public void Dispose() => owner.Return(reader, reader.Connection.State == System.Data.ConnectionState.Open);
    }

    internal sealed class Reader : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public Reader(SqliteConnection connection)
        {
            Connection = connection;
            connection.Open();
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = SqlitePragmas.Sql;
            pragmas.ExecuteNonQuery();
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand Command(string sql, string[] parameters)
        {
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = SqliteStatements.Create(Connection, sql, parameters);
                command.Prepare();
                _commands[sql] = command;
            }
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }
            Connection.Dispose();
        }
    }
}

/// <summary>Commands kept for the life of a connection, their parameters added once by name.</summary>
internal static class SqliteStatements
{
    public static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }
}
