using System.Data.Common;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Storage;

/// <summary>
/// Applies the versioned SQL scripts embedded under Migrations/&lt;Provider&gt;/NNNN_name.sql,
/// forward only, each in its own transaction, recording them in <c>schema_migrations</c>.
/// On PostgreSQL an advisory lock keeps two starting instances from migrating at once.
/// See docs/migrations.md for how to add one.
/// </summary>
public sealed partial class MigrationRunner(DatabaseConnections connections, ILogger<MigrationRunner> logger)
{
    private const long AdvisoryLockKey = 0x6761746568;

    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts(DatabaseProvider provider)
    {
        var folder = provider == DatabaseProvider.Postgres ? "Postgres" : "Sqlite";
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"Gatehouse.Storage.Migrations.{folder}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var name = n[prefix.Length..^4];
                var version = int.Parse(name.AsSpan(0, name.IndexOf('_')), System.Globalization.CultureInfo.InvariantCulture);
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (version, name, reader.ReadToEnd());
            })
            .OrderBy(s => s.version)
            .ToList();
    }

    public DatabaseProvider Provider => connections.Provider;

    /// <summary>Applies pending scripts; returns how many were applied.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = connections.Create();
        await connection.OpenAsync(cancellationToken);
        {
            if (Provider == DatabaseProvider.Sqlite)
            {
                // WAL lets readers run beside the single writer; it is a property of the file.
                await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
            }
            else
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey});", cancellationToken);
            }
            await ExecuteAsync(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);",
                cancellationToken);
            var applied = await AppliedVersionsAsync(connection, cancellationToken);
            var count = 0;
            foreach (var (version, name, sql) in Scripts(Provider))
            {
                if (applied.Contains(version))
                {
                    continue;
                }
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, sql, cancellationToken);
                await ExecuteAsync(connection, transaction,
                    $"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({version}, '{name.Replace("'", "''", StringComparison.Ordinal)}', {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()});",
                    cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                LogApplied(logger, version, name);
                count++;
            }
            if (Provider == DatabaseProvider.Postgres)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey});", cancellationToken);
            }
            return count;
        }
    }

    /// <summary>True when every embedded script is recorded as applied.</summary>
    public async Task<bool> IsUpToDateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = connections.Create();
        await connection.OpenAsync(cancellationToken);
        var applied = await AppliedVersionsAsync(connection, cancellationToken);
        return Scripts(Provider).All(s => applied.Contains(s.Version));
    }

    private static async Task<HashSet<int>> AppliedVersionsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var versions = new HashSet<int>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_migrations";
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versions.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch (DbException)
        {
            // No table yet: nothing applied.
        }
        return versions;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied database migration {Version} ({Name}).")]
    private static partial void LogApplied(ILogger logger, int version, string name);
}
