using Gatehouse.Core.Clients;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// A repository of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlSignInOtpRepository(SqlSession db) : ISignInOtpRepository
{
    private static readonly EntityMap<SignInOtp> Map = Maps.SignInOtps;

    public void Add(SignInOtp otp) => db.Add(Map, otp);

    public Task<SignInOtp?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM sign_in_otps WHERE id = @p0", [id], cancellationToken);

    public Task<SignInOtp?> FindByHashAsync(string hash, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM sign_in_otps WHERE hash = @p0", [hash], cancellationToken);

    public void Remove(SignInOtp otp) => db.Remove(Map, otp);

    public async Task<bool> TryConsumeAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await db.ExecuteAsync("UPDATE sign_in_otps SET consumed_at = @p0 WHERE hash = @p1 AND consumed_at IS NULL AND expires_at > @p0",
            [now.ToUnixTimeMilliseconds(), hash], cancellationToken) == 1;
}
