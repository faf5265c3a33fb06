using Gatehouse.Core.Common;
using Gatehouse.Core.Tokens;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

internal sealed class SqlSigningKeyRepository(DatabaseConnections connections, UserChangeNotifier users, DetachedReads reads) : ISigningKeyRepository
{
    private static readonly EntityMap<SigningKey> Map = Maps.SigningKeys;

    public async Task<IReadOnlyList<SigningKey>> ListPublishedAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await reads.ListAsync($"SELECT {Map.Select} FROM signing_keys WHERE expires_at > @p0 ORDER BY created_at", [now.ToUnixTimeMilliseconds()],
            r => Map.Read(r), cancellationToken);

    public async Task AddAsync(SigningKey key, CancellationToken cancellationToken = default)
    {
        // Its own unit of work: keys are made outside any request's.
        await using var session = new SqlSession(connections, users);
        session.Add(Map, key);
        await session.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>
/// Data Protection's key ring rows, for the server's XML repository on PostgreSQL (on SQLite,
/// one instance, the key ring lives in files beside the database).
/// </summary>
public sealed class DataProtectionKeyStore(DatabaseConnections connections)
{
    public IReadOnlyList<string> ReadAll()
    {
        using var connection = connections.Open();
        using var command = connection.Command(null, "SELECT xml FROM data_protection_keys ORDER BY id", []);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    public void Store(string? friendlyName, string xml)
    {
        using var connection = connections.Open();
        using var command = connection.Command(null, "INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@p0, @p1)", [friendlyName, xml]);
        command.ExecuteNonQuery();
    }
}
