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
}
