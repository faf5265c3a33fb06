using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// A repository of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlUserRepository(SqlSession db) : IUserRepository
{
    private static readonly EntityMap<User> Map = Maps.Users;
    private static readonly string ById = $"SELECT {Map.Select} FROM users WHERE id = @p0";
    private static readonly string ByNumber = $"SELECT {Map.Select} FROM users WHERE number = @p0";
    private static readonly string ByEmail = $"SELECT {Map.Select} FROM users WHERE normalized_email = @p0";
    private static readonly string ByUsername = $"SELECT {Map.Select} FROM users WHERE normalized_username = @p0";

    public Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, ById, [id], cancellationToken);

    public Task<User?> FindByNumberAsync(long number, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, ByNumber, [number], cancellationToken);

    public Task<User?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, ByEmail, [normalizedEmail], cancellationToken);

    public Task<User?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, ByUsername, [normalizedUsername], cancellationToken);

    public async Task<User?> FindByLoginAsync(string normalizedLogin, CancellationToken cancellationToken = default) =>
        await FindByEmailAsync(normalizedLogin, cancellationToken) ?? await FindByUsernameAsync(normalizedLogin, cancellationToken);

    public async Task<Page<User>> ListAsync(string? search, int offset, int limit, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return await db.PageAsync(Map, "", "number", [], offset, limit, cancellationToken);
        }
        // A substring match on the normalized forms (no LIKE: the search text is taken literally).
        var position = db.Provider == DatabaseProvider.Postgres ? "strpos" : "instr";
        return await db.PageAsync(Map, $" WHERE {position}(normalized_email, @p0) > 0 OR {position}(normalized_username, @p0) > 0", "number",
            [search.Trim().ToUpperInvariant()], offset, limit, cancellationToken);
    }

    public void Add(User user) => db.Add(Map, user);

    // The sign-in reservation: SignInOptions.LockAfter in one conditional statement. Every SET
    // expression reads the row as it was before the statement, so the new count is
    // failed_sign_ins + 1; the WHERE makes a locked account change nothing. The exponent is
    // capped at DoublingsToMaximum, so the shift stays inside 64 bits. Only the name of MIN
    // differs between the providers.
    private static string ReserveSql(string least) =>
        "UPDATE users SET failed_sign_ins = failed_sign_ins + 1, locked_until = CASE"
        + " WHEN failed_sign_ins + 1 >= @p2 THEN @p3"
        + $" WHEN failed_sign_ins + 1 > @p4 THEN @p1 + {least}(@p5, @p6 << {least}(@p7, failed_sign_ins - @p4))"
        + " ELSE locked_until END"
        + " WHERE number = @p0 AND (locked_until IS NULL OR locked_until <= @p1)"
        + " RETURNING failed_sign_ins, locked_until";

    private static readonly string ReserveSqlite = ReserveSql("MIN");
    private static readonly string ReservePostgres = ReserveSql("LEAST");

    /// <summary>The stored form of <see cref="DateTimeOffset.MaxValue"/>: locked until a reset.</summary>
    private static readonly long LockedForGood = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public async Task<bool> TryReserveSignInAttemptAsync(User user, SignInOptions rule, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var stored = await db.ExecuteReturningAsync(db.Provider == DatabaseProvider.Postgres ? ReservePostgres : ReserveSqlite,
            [user.Number, now.ToUnixTimeMilliseconds(), rule.MaximumConsecutiveFailures, LockedForGood, rule.FreeFailures,
                rule.MaximumDelayMilliseconds, rule.FirstDelayMilliseconds, rule.DoublingsToMaximum],
            r => (Failures: r.GetInt32(0), LockedUntil: SqlValues.NullableTime(r, 1)), cancellationToken);
        if (stored is not [var row])
        {
            return false;
        }
        user.FailedSignIns = row.Failures;
        user.LockedUntil = row.LockedUntil;
        db.MarkStored(Map, user, "failed_sign_ins", "locked_until");
        db.UserWritten(user.Id);
        return true;
    }
}
