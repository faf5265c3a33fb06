using System.Globalization;
using System.Text.Json.Serialization;
using Gatehouse.Core.Accounts;

namespace Gatehouse.Server.Dialects.Fittrackee;

// Wire shapes of FitTrackee 0.2.x (CONTRACTS.md "004"). Requests are lenient like the original
// (unknown members are ignored); every field is nullable so a missing one is told apart from a
// wrong one.

public sealed record RegisterBody(string? Username, string? Email, string? Password, string? PasswordConf);

public sealed record LoginBody(string? Email, string? Password);

public sealed record EditProfileBody(
    string? FirstName,
    string? LastName,
    string? Bio,
    string? Location,
    string? BirthDate,
    string? Password,
    string? PasswordConf,
    string? Timezone)
{
    /// <summary>The original answers "Invalid payload." to a body without any field.</summary>
    public bool IsEmpty => FirstName is null && LastName is null && Bio is null && Location is null && BirthDate is null
        && Password is null && PasswordConf is null && Timezone is null;
}

/// <summary><c>{"status", "message"}</c>: every error, and the logout answer.</summary>
public sealed record MessageBody(string Status, string Message);

public sealed record TokenBody(string AuthToken, string Message, string Status);

public sealed record ProfileBody(ProfileData Data, string Status);

public sealed record ProfileMessageBody(ProfileData Data, string Message, string Status);

/// <summary>
/// The user as FitTrackee shows it. Gatehouse keeps no activities, so the statistics are zero
/// in the original's types (<c>total_duration</c> is Python's <c>str(timedelta)</c>).
/// </summary>
public sealed record ProfileData(
    long Id,
    string? Username,
    string? Email,
    string CreatedAt,
    bool Admin,
    string? FirstName,
    string? LastName,
    string? Bio,
    string? Location,
    string? BirthDate,
    bool Picture,
    string? Timezone,
    int NbActivities,
    int NbSports,
    double TotalDistance,
    string TotalDuration)
{
    public static ProfileData From(User user) => new(
        user.Number,
        user.Username,
        user.Email,
        Rfc1123(user.CreatedAt),
        user.IsAdmin,
        user.FirstName,
        user.LastName,
        user.Bio,
        user.Location,
        user.BirthDate is { } birth ? Rfc1123(new DateTimeOffset(birth.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : null,
        user.PictureId is not null,
        user.Timezone,
        0,
        0,
        0,
        "0:00:00");

    /// <summary>Flask's <c>jsonify</c> renders dates as RFC 1123 (<c>Sun, 14 Jul 2019 14:09:58 GMT</c>).</summary>
    private static string Rfc1123(DateTimeOffset at) => at.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);
}

[JsonSerializable(typeof(RegisterBody))]
[JsonSerializable(typeof(LoginBody))]
[JsonSerializable(typeof(EditProfileBody))]
[JsonSerializable(typeof(MessageBody))]
[JsonSerializable(typeof(TokenBody))]
[JsonSerializable(typeof(ProfileBody))]
[JsonSerializable(typeof(ProfileMessageBody))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict)]
internal sealed partial class FittrackeeJsonContext : JsonSerializerContext;
