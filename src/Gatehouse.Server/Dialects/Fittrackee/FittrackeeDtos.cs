using System.Globalization;
using System.Text.Json.Serialization;
using Gatehouse.Core.Accounts;

namespace Gatehouse.Server.Dialects.Fittrackee;

// Wire shapes of FitTrackee 0.2.x (CONTRACTS.md "004"). Requests are lenient like the original
// (unknown members are ignored); every field is nullable so a missing one is told apart from a
// wrong one.

internal sealed record FittrackeeRegisterRequest(string? Username, string? Email, string? Password, string? PasswordConf);

internal sealed record FittrackeeLoginRequest(string? Email, string? Password);

internal sealed record FittrackeeProfileEditRequest(
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
internal sealed record FittrackeeMessage(string Status, string Message) : IWireError
{
    public static IReadOnlyList<int> DocumentedStatuses { get; } = [400, 401, 403, 404, 405, 413, 429, 500];
}

internal sealed record FittrackeeToken(string AuthToken, string Message, string Status);

internal sealed record FittrackeeProfile(FittrackeeProfileData Data, string Status);

internal sealed record FittrackeeProfileMessage(FittrackeeProfileData Data, string Message, string Status);

/// <summary>
/// The user as FitTrackee shows it. Gatehouse keeps no activities, so the statistics are zero
/// in the original's types (<c>total_duration</c> is Python's <c>str(timedelta)</c>).
/// </summary>
internal sealed record FittrackeeProfileData(
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
    public static FittrackeeProfileData From(User user) => new(
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

[JsonSerializable(typeof(FittrackeeRegisterRequest))]
[JsonSerializable(typeof(FittrackeeLoginRequest))]
[JsonSerializable(typeof(FittrackeeProfileEditRequest))]
[JsonSerializable(typeof(FittrackeeMessage))]
[JsonSerializable(typeof(FittrackeeToken))]
[JsonSerializable(typeof(FittrackeeProfile))]
[JsonSerializable(typeof(FittrackeeProfileMessage))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict)]
internal sealed partial class FittrackeeJsonContext : JsonSerializerContext;
