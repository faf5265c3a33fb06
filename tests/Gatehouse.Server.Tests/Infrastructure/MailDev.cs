using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>Reads what reached the real SMTP server (maildev's REST API).</summary>
public static partial class MailDev
{
    private static readonly HttpClient Http = new() { BaseAddress = TestEnvironment.MailDevUrl, Timeout = TimeSpan.FromSeconds(10) };

    public sealed record Address([property: JsonPropertyName("address")] string Value)
    {
        [JsonPropertyName("name")]
        public string? Name { get; init; }
    }

    public sealed record Message(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("subject")] string Subject,
        [property: JsonPropertyName("text")] string? Text,
        [property: JsonPropertyName("html")] string? Html,
        [property: JsonPropertyName("to")] IReadOnlyList<Address> To)
    {
        /// <summary>The first link in the text part.</summary>
        public string Link => LinkPattern().Match(Text ?? "") is { Success: true } m ? m.Value : throw new InvalidOperationException("No link in: " + Text);

        /// <summary>The <c>token</c> query parameter of the link.</summary>
        public string Token => Query(Link, "token");

        [JsonPropertyName("from")]
        public IReadOnlyList<Address> From { get; init; } = [];

        /// <summary>The header fields as maildev parsed them (lower-case names).</summary>
        [JsonPropertyName("headers")]
        public JsonElement Headers { get; init; }
    }

    public static Task<IReadOnlyList<Message>> ForAsync(string recipient) => ForAsync(Http, recipient);

    /// <summary>Waits for a message to the recipient whose subject contains <paramref name="subjectPart"/>.</summary>
    public static Task<Message> WaitForAsync(string recipient, string subjectPart, int count = 1, TimeSpan? timeout = null) =>
        WaitForAsync(Http, recipient, subjectPart, count, timeout);

    /// <summary>The messages to the recipient on the maildev whose REST API <paramref name="http"/> reaches.</summary>
    public static async Task<IReadOnlyList<Message>> ForAsync(HttpClient http, string recipient) =>
        await http.GetFromJsonAsync<List<Message>>($"/email?to.address={Uri.EscapeDataString(recipient)}") ?? [];

    public static async Task<Message> WaitForAsync(HttpClient http, string recipient, string subjectPart, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var found = (await ForAsync(http, recipient)).Where(m => m.Subject.Contains(subjectPart, StringComparison.OrdinalIgnoreCase)).ToList();
            if (found.Count >= count)
            {
                return found[count - 1];
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No message '{subjectPart}' #{count} reached {recipient}; it has: {string.Join(", ", (await ForAsync(http, recipient)).Select(m => m.Subject))}");
            }
            await Task.Delay(100);
        }
    }

    public static string Query(string url, string name)
    {
        var query = new Uri(url).Query.TrimStart('?');
        foreach (var pair in query.Split('&'))
        {
            var parts = pair.Split('=', 2);
            if (parts[0] == name)
            {
                return Uri.UnescapeDataString(parts.Length > 1 ? parts[1] : "");
            }
        }
        throw new InvalidOperationException($"No '{name}' in {url}");
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
