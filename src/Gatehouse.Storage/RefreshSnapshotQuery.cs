using System.Data.Common;
using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

/// <summary>The refresh hot path's read: token, session and user in one query.</summary>
internal static class RefreshSnapshotQuery
{
    public const string Sql = """
        SELECT s.id, s.user_id, s.client_id, t.generation, t.consumed_at, t.expires_at,
               s.generation, s.ended_at, s.expires_at, s.rotate_refresh_tokens, s.surface, s.team_id, s.second_factor_pending,
               u.number, u.status, u.roles, s.refresh_rules
        FROM refresh_tokens t
        JOIN sessions s ON s.id = t.session_id
        JOIN users u ON u.id = s.user_id
        WHERE t.hash = @p0
        """;

    public static RefreshSnapshot Read(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), SqlValues.NullableText(reader, 2),
        reader.GetInt64(3), SqlValues.NullableTime(reader, 4), SqlValues.Time(reader.GetInt64(5)),
        reader.GetInt64(6), SqlValues.NullableTime(reader, 7), SqlValues.Time(reader.GetInt64(8)), reader.GetBoolean(9), reader.GetString(10),
        SqlValues.NullableText(reader, 11), reader.GetBoolean(12),
        reader.GetInt64(13), (Gatehouse.Core.Accounts.UserStatus)reader.GetInt32(14), reader.GetString(15),
        (Gatehouse.Core.Sessions.RefreshRules)reader.GetInt32(16));

    /// <summary>The snapshot of a refresh token by its hash (on SQLite, a prepared statement on a kept-open reader).</summary>
    public static Task<RefreshSnapshot?> FindAsync(DetachedReads reads, string hash, CancellationToken cancellationToken) =>
        reads.FirstAsync<RefreshSnapshot?>(Sql, [hash], Read, cancellationToken);
}
