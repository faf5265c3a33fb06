using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Security;

/// <summary>
/// NIST SP 800-63B section 5.1.1.2 password policy: a minimum and maximum length and a
/// blocklist of commonly used passwords. Deliberately no composition rules (digits, symbols,
/// mixed case), which 5.1.1.2 says verifiers SHOULD NOT impose.
/// </summary>
/// <remarks>
/// Length is counted in Unicode text elements (user-perceived characters, UAX #29 extended
/// grapheme clusters via <see cref="StringInfo"/>). That is what a user sees and counts on
/// screen: "é" is one character whether typed precomposed (U+00E9) or as e + U+0301, and an
/// emoji family is one, not eleven UTF-16 units. Because a base character and its combining
/// marks form one text element, the count is the same for the NFC and NFD forms, so no
/// normalisation is needed for it; that matters here because the solution runs with
/// InvariantGlobalization, where <see cref="string.Normalize()"/> returns non-ASCII input
/// unchanged. NIST counts code points; a password never has more text elements than code
/// points, so the minimum here is at least as strict as NIST's and the maximum at least as
/// generous.
/// </remarks>
public sealed class PasswordPolicy : IPasswordPolicy
{
    // A single text element can hold any number of combining marks, so the element count alone
    // does not bound the input. Cap the raw UTF-16 length as well; 32 units per element leaves
    // room for the longest real emoji ZWJ sequences with skin tones (about 20 units).
    private const int MaxUtf16UnitsPerElement = 32;

    private static readonly Lazy<FrozenSet<string>> CommonPasswords =
        new(LoadCommonPasswords, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly int _minimumLength;
    private readonly int _maximumLength;

    public PasswordPolicy(IOptions<PasswordOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _minimumLength = options.Value.MinimumLength;
        _maximumLength = options.Value.MaximumLength;
    }

    public IReadOnlyList<PasswordRule> Check(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var broken = new List<PasswordRule>(2);

        if ((long)password.Length > (long)_maximumLength * MaxUtf16UnitsPerElement)
        {
            // Do not walk megabytes of grapheme clusters; it is too long whatever it contains.
            broken.Add(PasswordRule.TooLong);
            return broken;
        }

        var length = new StringInfo(password).LengthInTextElements;
        if (length < _minimumLength)
        {
            broken.Add(PasswordRule.TooShort);
        }
        else if (length > _maximumLength)
        {
            broken.Add(PasswordRule.TooLong);
        }

        // NIST SP 800-63B 5.1.1.2: reject values from lists of commonly used or compromised
        // passwords. Case-insensitive, since "Password" is no better than "password".
        if (CommonPasswords.Value.Contains(password))
        {
            broken.Add(PasswordRule.Common);
        }

        return broken;
    }

    private static FrozenSet<string> LoadCommonPasswords()
    {
        const string ResourceName = "Gatehouse.Core.common-passwords.txt";
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from Gatehouse.Core.");
        using var reader = new StreamReader(stream, Encoding.UTF8);

        var entries = new List<string>(10_000);
        while (reader.ReadLine() is { } line)
        {
            var entry = line.Trim();
            if (entry.Length > 0)
            {
                entries.Add(entry);
            }
        }

        return entries.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
