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

    // One statement for the attempt: every open OTP of the user under the cap counts it, and the
    // matching one among them is used up, so a void OTP (used, expired or out of attempts) never
    // matches and two concurrent sign-ins with one OTP cannot both use it.
    private const string Redeem =
        "UPDATE sign_in_otps SET attempts = attempts + 1, consumed_at = CASE WHEN hash = @p1 THEN @p2 ELSE consumed_at END"
        + " WHERE user_id = @p0 AND consumed_at IS NULL AND expires_at > @p2 AND attempts < @p3 RETURNING hash";

    public async Task<bool> TryRedeemAsync(string userId, string hash, DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken = default) =>
        (await db.ExecuteReturningAsync(Redeem, [userId, hash, now.ToUnixTimeMilliseconds(), maxAttempts], cancellationToken)).Contains(hash, StringComparer.Ordinal);
}
