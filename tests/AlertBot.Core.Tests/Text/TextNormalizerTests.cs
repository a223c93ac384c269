using AlertBot.Core.Text;

namespace AlertBot.Core.Tests.Text;

public sealed class TextNormalizerTests
{
    [Theory]
    [InlineData("HOUTHIS", "houthis")]
    [InlineData("Qāʾānī", "qa'ani")]
    [InlineData("Qa’ani", "qa'ani")]
    [InlineData("Qa‘ani", "qa'ani")]
    [InlineData("Qaʼani", "qa'ani")]
    [InlineData("Qaʻani", "qa'ani")]
    [InlineData("Qa`ani", "qa'ani")]
    [InlineData("Qa´ani", "qa'ani")]
    [InlineData("Bab el‐Mandeb", "bab el-mandeb")]
    [InlineData("Bab el‑Mandeb", "bab el-mandeb")]
    [InlineData("Bab el‒Mandeb", "bab el-mandeb")]
    [InlineData("Bab el–Mandeb", "bab el-mandeb")]
    [InlineData("Bab el—Mandeb", "bab el-mandeb")]
    [InlineData("Bab el−Mandeb", "bab el-mandeb")]
    [InlineData("Ḥizbullāh", "hizbullah")]
    [InlineData("Éire Ñandú Øre", "eire nandu øre")]
    [InlineData("İSTANBUL", "istanbul")]
    public void Folds_case_diacritics_apostrophes_and_hyphens(string input, string expected) =>
        Assert.Equal(expected, TextNormalizer.Normalize(input));

    [Fact]
    public void Arabic_harakat_and_tatweel_are_dropped_but_letters_kept()
    {
        // حِزْبُ ٱللَّٰهِ with vowel marks, and a tatweel-stretched حـزب.
        Assert.Equal(TextNormalizer.Normalize("حزب"), TextNormalizer.Normalize("حِزْبُ"));
        Assert.Equal(TextNormalizer.Normalize("حزب"), TextNormalizer.Normalize("حـزب"));
        Assert.Equal(3, TextNormalizer.Normalize("حزب").Length);
    }

    [Fact]
    public void Full_width_letters_fold_to_ascii() =>
        Assert.Equal("iran", TextNormalizer.Normalize("ＩＲＡＮ"));
}
