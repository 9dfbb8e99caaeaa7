"""What people read: labels in Chinese and English, and numbers formatted for people."""
